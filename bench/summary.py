#!/usr/bin/env python3
"""Summarize one benchmark run: medians per scenario, Taskgate / Celery ratios, share of the raw limits.

usage: bench/summary.py RAW_JSONL [FIRST_LINE]
  FIRST_LINE (1-based): only lines from there on, i.e. the run that bench/run.sh just appended.
Prints Markdown (the tables of bench/RESULTS.md).
"""
import json
import statistics
import sys
from collections import OrderedDict

CELERY = "celery-rabbitmq-redis-ackslate"
CELERY_LONE = "celery-rabbitmq-redis-lone"


def load(path, first):
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            if number >= first and line.strip():
                rows.append(json.loads(line))
    return rows


def median(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def spread(rows, key, digits):
    values = [r["host"][key] for r in rows if (r.get("host") or {}).get(key) is not None]
    return f"{fmt(min(values), digits)}-{fmt(max(values), digits)}" if values else "-"


def ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}"


def table(title, columns, names, cells, by):
    print(f"\n{title}:\n")
    print("| scenario | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in names:
        print(f"| {name} | " + " | ".join(cells(by[name])) + " |")


def main():
    rows = load(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    by = OrderedDict()
    for r in rows:
        by.setdefault(r["scenario"], []).append(r)

    print("| scenario | runs | submit/s | submit p50 / p99 ms | end-to-end tasks/s | latency p50 / p99 ms | heap MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, rs in by.items():
        if rs[0].get("system", "").endswith("-raw") or name == "ceiling":
            continue
        lone = "lone_p50_ms" in rs[0] or name.endswith("-lone")
        p50 = median(rs, "lone_p50_ms") if "lone_p50_ms" in rs[0] else median(rs, "e2e_p50_ms") or median(rs, "p50_ms")
        p99 = median(rs, "lone_p99_ms") if "lone_p99_ms" in rs[0] else median(rs, "e2e_p99_ms") or median(rs, "p99_ms")
        latency = ("lone " if lone else "") + f"{fmt(p50, 1)} / {fmt(p99, 1)}"
        submit_latency = f"{fmt(median(rs, 'submit_p50_ms'), 1)} / {fmt(median(rs, 'submit_p99_ms'), 1)}"
        if "submit_p50_ms" not in rs[0]:
            submit_latency = "-"
        print(f"| {name} | {len(rs)} | {fmt(median(rs, 'submit_rate'))} | {submit_latency} | "
              f"{fmt(median(rs, 'e2e_rate')) if not lone else '-'} | {latency} | {fmt(median(rs, 'heap_used_mb'))} |")

    throughput = [n for n in by if n.startswith("wrk-") or n in ("db-h2", "db-pg", "rabbitmq-pg")]
    celery = by.get(CELERY)
    if celery and throughput:
        table(f"Taskgate / Celery (`{CELERY}`, same run; medians)", ("submit rate", "end-to-end rate"),
              throughput, lambda rs: (ratio(median(rs, "submit_rate"), median(celery, "submit_rate")),
                                      ratio(median(rs, "e2e_rate"), median(celery, "e2e_rate"))), by)
    lone = [n for n in by if n.startswith("lone-")]
    celery_lone = by.get(CELERY_LONE)
    if celery_lone and lone:
        table(f"Lone tasks, Taskgate / Celery (`{CELERY_LONE}`: p50 {fmt(median(celery_lone, 'p50_ms'), 1)}"
              f" / p99 {fmt(median(celery_lone, 'p99_ms'), 1)} ms; above 1 = Taskgate slower)", ("p50", "p99"),
              lone, lambda rs: (ratio(median(rs, "lone_p50_ms"), median(celery_lone, "p50_ms")),
                                ratio(median(rs, "lone_p99_ms"), median(celery_lone, "p99_ms"))), by)

    cpu = [n for n in by if n.startswith(("wrk-", "rate-")) and any("cpu_us_per_task" in r for r in by[n])]
    if cpu:
        groups = tuple(g for g in ("taskgate", "postgres", "rabbitmq", "kafka", "load")
                       if any(g in r.get("cpu_us_per_task", {}) for n in cpu for r in by[n]))
        table("CPU per task done, µs (bench/cpu.py over flood, drain and read-back; medians)",
              groups + ("all",), cpu,
              lambda rs: [fmt(statistics.median(r["cpu_us_per_task"].get(g, 0) for r in rs if "cpu_us_per_task" in r))
                          for g in groups]
              + [fmt(statistics.median(sum(r["cpu_us_per_task"].values()) for r in rs if "cpu_us_per_task" in r))], by)

    sw = [n for n in by if n.startswith(("wrk-", "rate-")) and any("switches_per_task" in r for r in by[n])]
    if sw:
        groups = tuple(g for g in ("taskgate", "postgres", "rabbitmq", "kafka")
                       if any(g in r.get("switches_per_task", {}) for n in sw for r in by[n]))
        table("Context switches per task done (bench/cpu.py: each time a thread sleeps or is preempted; medians)",
              groups, sw,
              lambda rs: [fmt(statistics.median(r["switches_per_task"].get(g, 0) for r in rs if "switches_per_task" in r), 1)
                          for g in groups], by)

    pg = [n for n in by if n.startswith(("wrk-", "rate-")) and any("pg_per_task" in r for r in by[n])]
    if pg:
        keys = ("commits", "task_inserts", "task_updates", "task_hot_updates", "outbox_inserts", "outbox_deletes")
        table("PostgreSQL's counters per task done (pg_stat_database / pg_stat_user_tables; medians)", keys, pg,
              lambda rs: [fmt(statistics.median(r["pg_per_task"][k] for r in rs if "pg_per_task" in r), 2)
                          for k in keys], by)

    hosted = [n for n in by if any("host" in r for r in by[n])]
    if hosted:
        table("The host after each measurement (bench/hostcal.py: a loop's CPU ms alone, and the factor two at"
              " once take; 1.0 = two real cores; a round trip between two processes on one CPU and across"
              " two, µs; min-max)", ("alone ms", "pair factor", "wake µs, one CPU", "wake µs, two"), hosted,
              lambda rs: [spread(rs, "alone_ms", 0), spread(rs, "pair_factor", 2), spread(rs, "wake_same_us", 1),
                          spread(rs, "wake_cross_us", 1)], by)
        machines = sorted({(r["host"]["cpu"], r["host"].get("virt", "?"))
                           for rs in by.values() for r in rs if "cpu" in (r.get("host") or {})})
        if machines:  # lines before run 32 did not record it
            print("\nMachine (lscpu model, hypervisor): " + "; ".join(f"{c}, {v}" for c, v in machines))

    raw = [(n, rs) for n, rs in by.items() if rs[0].get("system", "").endswith("-raw")]
    floods = [n for n in by if n.startswith("wrk-")]
    if raw:
        print("\nRaw limits of this machine (same run) and the share the end-to-end rates reach:\n")
        print("| raw limit | per second | " + "".join(f"{n} | " for n in floods))
        print("|---|---:|" + "---:|" * len(floods))
        for name, rs in raw:
            limit = median(rs, "e2e_rate")
            shares = [f"{100 * median(by[n], 'e2e_rate') / limit:.0f} % | " if limit else "- | " for n in floods]
            print(f"| `{name}`: {rs[0].get('desc', '')} | {fmt(limit)} | " + "".join(shares))

    if "ceiling" in by:
        print("\nPostgreSQL + RabbitMQ together (bench/ceiling.sh): CPU per task and the rate it allows on this"
              " machine; the floods' share of that ceiling:\n")
        print("| tasks per tx | rate | sustained | PostgreSQL / RabbitMQ / PerfTest µs | floor µs | ceiling/s | "
              + "".join(f"{n} | " for n in floods))
        print("|---:|---:|---|---:|---:|---:|" + "---:|" * len(floods))
        for r in by["ceiling"]:
            us = r["cpu_us_per_task"]
            shares = [f"{100 * median(by[n], 'e2e_rate') / r['ceiling_tasks_per_s']:.0f} % | " for n in floods]
            print(f"| {r['tasks_per_tx']} | {fmt(r['rate'])} | {'yes' if r['sustained'] else 'no'} | "
                  f"{us.get('postgres')} / {us.get('rabbitmq')} / {us.get('perftest')} | {r['floor_us']} | "
                  f"{fmt(r['ceiling_tasks_per_s'])} | " + "".join(shares))


if __name__ == "__main__":
    main()
