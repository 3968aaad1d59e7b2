#!/usr/bin/env python3
"""How fast this machine's two cores are right now, for the record of a benchmark run.

  bench/hostcal.py      print {"alone_ms": A, "pair_ms": P, "pair_factor": P/A, "wake_same_us": S,
                        "wake_cross_us": X, "cpu": "...", "virt": "..."} (JSON)

The same pure-Python loop runs once alone, then twice at once in two processes; each figure is the
loop's CPU time (the median of 3). The host's speed drifts by more than a change moves Taskgate
(bench/RESULTS.md runs 20 and 24), and the second figure shows the kind of drift that hurts most:
on 2 vCPUs that share one physical core (SMT siblings) or a busy host, two busy processes each get
less work done per CPU second than one, and every process in a flood (Taskgate, PostgreSQL,
RabbitMQ, the load generator) keeps both cores busy. pair_factor 1.0 means two real cores; a check
like it early in run 24 measured 1.8, this script 0.7-1.35 later that day. Runs 20 minutes apart are comparable only when these agree.

wake_same_us and wake_cross_us are the other cost a flood pays on every hand-over between threads:
two processes pass a byte back and forth through pipes, and the figure is the wall time of one
round trip (two wake-ups; median of 3 x 5,000), both pinned to one CPU, then one on each (a wake-up
across CPUs takes an interrupt and the idle CPU's way out of sleep: unpinned, the same loop gave
3 or 22 us by where the scheduler put it). cpu and virt are lscpu's model name and hypervisor vendor. Runs up
to 31 were on machines whose kernel paid for every wake-up in a paravirtualised call
(pvm_irq_enable, a quarter of the JVM's samples in run 31's profile); run 32's machine (KVM) did a
task for two thirds of the CPU at the same alone_ms. Figures from different cpu/virt are not
comparable; ratios measured in the same run are.
"""
import json
import multiprocessing
import os
import statistics
import subprocess
import time

LOOP = 10_000_000


def spin(_=None):
    started = time.process_time()
    total = 0
    for i in range(LOOP):
        total += i
    return (time.process_time() - started) * 1000


def ping_pong(cpus, rounds=5000):
    """Wall microseconds per round trip of one byte between two processes (two wake-ups), the
    first pinned to cpus[0] and the second to cpus[1]."""
    there_r, there_w = os.pipe()
    back_r, back_w = os.pipe()
    mask = os.sched_getaffinity(0)
    child = os.fork()
    if child == 0:
        os.sched_setaffinity(0, {cpus[1]})
        for _ in range(rounds):
            os.read(there_r, 1)
            os.write(back_w, b"x")
        os._exit(0)
    os.sched_setaffinity(0, {cpus[0]})
    started = time.perf_counter()
    for _ in range(rounds):
        os.write(there_w, b"x")
        os.read(back_r, 1)
    elapsed = time.perf_counter() - started
    os.sched_setaffinity(0, mask)
    os.waitpid(child, 0)
    for fd in (there_r, there_w, back_r, back_w):
        os.close(fd)
    return elapsed / rounds * 1e6


def lscpu(field):
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    for line in out.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == field:
            return value.strip()
    return "none" if field == "Hypervisor vendor" else "?"


def main():
    alone = statistics.median(spin() for _ in range(3))
    with multiprocessing.Pool(2) as pool:
        pair = statistics.median(t for _ in range(3) for t in pool.map(spin, range(2)))
    cpus = sorted(os.sched_getaffinity(0))
    same = statistics.median(ping_pong((cpus[0], cpus[0])) for _ in range(3))
    cross = statistics.median(ping_pong((cpus[0], cpus[-1])) for _ in range(3))
    print(json.dumps({"alone_ms": round(alone), "pair_ms": round(pair),
                      "pair_factor": round(pair / alone, 2),
                      "wake_same_us": round(same, 1), "wake_cross_us": round(cross, 1),
                      "cpu": lscpu("Model name"), "virt": lscpu("Hypervisor vendor")}))


if __name__ == "__main__":
    main()
