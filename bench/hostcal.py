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
    first pinned to cpus[0] and the second to cpus[1]; None where the pinning is refused."""
    there_r, there_w = os.pipe()
    back_r, back_w = os.pipe()
    child = os.fork()
    if child == 0:
        status = 1
        try:  # the child never returns into main(): it would print a second line
            os.close(there_w)
            os.close(back_r)
            os.sched_setaffinity(0, {cpus[1]})
            for _ in range(rounds):
                if not os.read(there_r, 1):
                    break
                os.write(back_w, b"x")
            status = 0
        finally:
            os._exit(status)
    os.close(there_r)
    os.close(back_w)
    mask = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {cpus[0]})
        started = time.perf_counter()
        for _ in range(rounds):
            os.write(there_w, b"x")
            if not os.read(back_r, 1):  # the child ended early (its pinning was refused)
                return None
        return (time.perf_counter() - started) / rounds * 1e6
    except OSError:
        return None
    finally:
        os.sched_setaffinity(0, mask)
        os.close(there_w)  # the child, if still reading, sees the end and exits
        os.close(back_r)
        os.waitpid(child, 0)


def wake_us(cpus):
    """Median of three ping-pongs, rounded; None if one could not run."""
    runs = [ping_pong(cpus) for _ in range(3)]
    return None if None in runs else round(statistics.median(runs), 1)


def lscpu(field):
    try:  # C locale: the field names are translated in others
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True,
                             env={**os.environ, "LC_ALL": "C"}).stdout
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
    print(json.dumps({"alone_ms": round(alone), "pair_ms": round(pair),
                      "pair_factor": round(pair / alone, 2),
                      "wake_same_us": wake_us((cpus[0], cpus[0])),
                      "wake_cross_us": wake_us((cpus[0], cpus[1])) if len(cpus) > 1 else None,
                      "cpu": lscpu("Model name"), "virt": lscpu("Hypervisor vendor")}))


if __name__ == "__main__":
    main()
