#!/usr/bin/env python3
"""CPU of the processes a benchmark runs, per group, from /proc.

  bench/cpu.py snap                  print the CPU ticks used so far per group (JSON)
  bench/cpu.py per-task A B TASKS    print the CPU between two snaps per task, in µs (JSON)
  bench/cpu.py switches A B TASKS    print the context switches between two snaps per task (JSON)

Groups: postgres (its reaped backends included, through the postmaster's cutime/cstime), rabbitmq,
kafka, taskgate (the JVMs of target/taskgate.jar, or of $BENCH_JAR when set), perftest (RabbitMQ PerfTest's JVM: an AMQP
client's own cost), load (wrk, LoadGen, pgbench). A process that started and ended between two
snaps is missed unless its parent is counted: PostgreSQL's backends are (the postmaster's
children), but wrk and LoadGen, run by bench/run.sh, end before its second snap, so in the floods'
figures the load generator is absent; pgbench in bench/ceiling.sh is read while it runs.

Context switches (voluntary + involuntary, summed over each process's threads from
/proc/PID/task/TID/status): each time a thread sleeps (a lock, a futex, a socket read) or is
preempted. On this VM the kernel's cost of those was the largest single item of a flood's profile
(bench/RESULTS.md run 25), so a change that hands a task between threads less often shows here
even where the CPU figures drown in the host's drift. A thread that ends between two snaps takes
its count with it (the pools here keep their threads through a flood).
"""
import json
import os
import sys

GROUPS = ("taskgate", "postgres", "rabbitmq", "kafka", "perftest", "load")
TASKGATE_JAR = os.environ.get("BENCH_JAR") or "taskgate.jar"


def group(comm, cmd):
    if comm.startswith("postgres"):
        return "postgres"
    if comm in ("beam.smp", "erl_child_setup", "inet_gethost", "epmd"):
        return "rabbitmq"
    if TASKGATE_JAR in cmd:
        return "taskgate"
    if "kafka.Kafka" in cmd:
        return "kafka"
    if "com.rabbitmq.perf.PerfTest" in cmd:
        return "perftest"
    if comm in ("wrk", "pgbench") or "LoadGen" in cmd:
        return "load"
    return None


def switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in open(f"/proc/{pid}/task/{tid}/status"):
                if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                    total += int(line.split()[1])
        except OSError:
            continue  # the thread ended meanwhile
    return total


def snap():
    ticks = dict.fromkeys(GROUPS + tuple("switches_" + g for g in GROUPS), 0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = open(f"/proc/{pid}/stat").read()
            cmd = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
        except OSError:
            continue
        name = group(raw[raw.index("(") + 1:raw.rindex(")")], cmd)
        if name:
            fields = raw[raw.rindex(")") + 2:].split()
            ticks[name] += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            try:
                ticks["switches_" + name] += switches(pid)
            except OSError:
                pass  # the process ended meanwhile
    return ticks


def per_task(a, b, tasks):
    hz = os.sysconf("SC_CLK_TCK")
    return {k: round((b[k] - a[k]) / hz * 1e6 / tasks) for k in GROUPS if b[k] != a[k]}


def switches_per_task(a, b, tasks):
    counts = {g: b.get("switches_" + g, 0) - a.get("switches_" + g, 0) for g in GROUPS}
    return {g: round(n / tasks, 1) for g, n in counts.items() if n}


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        print(json.dumps(snap()))
    elif sys.argv[1] == "switches":
        print(json.dumps(switches_per_task(json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4]))))
    else:
        print(json.dumps(per_task(json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4]))))
