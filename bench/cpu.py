#!/usr/bin/env python3
"""CPU of the processes a benchmark runs, per group, from /proc.

  bench/cpu.py snap                  print the CPU ticks used so far per group (JSON)
  bench/cpu.py per-task A B TASKS    print the CPU between two snaps per task, in µs (JSON)

Groups: postgres (its reaped backends included, through the postmaster's cutime/cstime), rabbitmq,
kafka, taskgate (the JVMs of target/taskgate.jar, or of $BENCH_JAR when set), perftest (RabbitMQ PerfTest's JVM: an AMQP
client's own cost), load (wrk, LoadGen, pgbench). A process that started and ended between two
snaps is missed unless its parent is counted: PostgreSQL's backends are (the postmaster's
children), but wrk and LoadGen, run by bench/run.sh, end before its second snap, so in the floods'
figures the load generator is absent; pgbench in bench/ceiling.sh is read while it runs.
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


def snap():
    ticks = dict.fromkeys(GROUPS, 0)
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
    return ticks


def per_task(a, b, tasks):
    hz = os.sysconf("SC_CLK_TCK")
    return {k: round((b[k] - a[k]) / hz * 1e6 / tasks) for k in GROUPS if b[k] != a[k]}


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        print(json.dumps(snap()))
    else:
        print(json.dumps(per_task(json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4]))))
