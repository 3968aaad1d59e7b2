#!/usr/bin/env python3
"""How fast this machine's two cores are right now, for the record of a benchmark run.

  bench/hostcal.py      print {"alone_ms": A, "pair_ms": P, "pair_factor": P/A} (JSON)

The same pure-Python loop runs once alone, then twice at once in two processes; each figure is the
loop's CPU time (the median of 3). The host's speed drifts by more than a change moves Taskgate
(bench/RESULTS.md runs 20 and 24), and the second figure shows the kind of drift that hurts most:
on 2 vCPUs that share one physical core (SMT siblings) or a busy host, two busy processes each get
less work done per CPU second than one, and every process in a flood (Taskgate, PostgreSQL,
RabbitMQ, the load generator) keeps both cores busy. pair_factor 1.0 means two real cores; a check
like it early in run 24 measured 1.8, this script 0.7-1.35 later that day. Runs 20 minutes apart are comparable only when these agree.
"""
import json
import multiprocessing
import statistics
import time

LOOP = 10_000_000


def spin(_=None):
    started = time.process_time()
    total = 0
    for i in range(LOOP):
        total += i
    return (time.process_time() - started) * 1000


def main():
    alone = statistics.median(spin() for _ in range(3))
    with multiprocessing.Pool(2) as pool:
        pair = statistics.median(t for _ in range(3) for t in pool.map(spin, range(2)))
    print(json.dumps({"alone_ms": round(alone), "pair_ms": round(pair),
                      "pair_factor": round(pair / alone, 2)}))


if __name__ == "__main__":
    main()
