#!/usr/bin/env python3
"""Compares two jars' lines of one bench/ab.sh run (raw.jsonl from line FIRST on).

  bench/ab.py RAW FIRST A B      (each as given to bench/ab.sh: a jar, then any JVM options)

Per jar, over its floods (wrk-*) and its fixed-rate runs (rate-*): the end-to-end rates and their
median, and each process group's CPU per task divided by PostgreSQL's in the same flood. The
ratios hold still while the machine's speed drifts (every process slows alike), so they are the
figure to compare when a change does not alter PostgreSQL's work per task; when it does (fewer
statements, other plans), compare the absolute CPU per task of passes that ran close together.
Context switches per task (where recorded) count hand-overs between threads, which the host's
speed does not change.
"""
import json
import statistics
import sys


def rows(raw, first, jar, prefix):  # jar: the path, then the JVM options if any
    path, _, options = jar.partition(" ")
    out = []
    with open(raw) as f:
        for number, line in enumerate(f, start=1):
            if number < first or not line.strip():
                continue
            d = json.loads(line)
            if (d.get("jar") == path and (not options or d.get("jvm_args") == options)
                    and d.get("scenario", "").startswith(prefix)):
                out.append(d)
    return out


def describe(label, runs):
    if not runs:
        print(f"  {label}: none")
        return
    rates = [r["e2e_rate"] for r in runs]
    print(f"  {label}: end to end {' · '.join(str(round(x)) for x in rates)}/s, median {statistics.median(rates):.0f}")
    groups = sorted({g for r in runs for g in (r.get("cpu_us_per_task") or {}) if g != "postgres"})
    for g in groups:
        ratios = [r["cpu_us_per_task"][g] / r["cpu_us_per_task"]["postgres"] for r in runs
                  if (r.get("cpu_us_per_task") or {}).get(g) and r["cpu_us_per_task"].get("postgres")]
        if ratios:
            print(f"    {g} / postgres CPU per task: {' · '.join(f'{x:.2f}' for x in ratios)}, mean {statistics.mean(ratios):.2f}")
    for g in sorted({g for r in runs for g in (r.get("switches_per_task") or {})}):
        counts = [r["switches_per_task"][g] for r in runs if g in (r.get("switches_per_task") or {})]
        print(f"    {g} context switches per task: {' · '.join(f'{x:.1f}' for x in counts)}, median {statistics.median(counts):.1f}")
    p99 = [r["submit_p99_ms"] for r in runs if r.get("submit_p99_ms") is not None]
    if p99:
        print(f"    submit p99 ms: {' · '.join(f'{x:.1f}' for x in p99)}")


def main():
    raw, first, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    for jar in (a, b):
        print(jar)
        describe("floods", rows(raw, first, jar, "wrk-"))
        describe("fixed rate", rows(raw, first, jar, "rate-"))


if __name__ == "__main__":
    main()
