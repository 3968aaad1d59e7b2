#!/usr/bin/env bash
# What PostgreSQL and RabbitMQ alone cost per task on this machine, measured together, and the
# task rate that cost allows on its 2 cores: the ceiling for any durable gateway built on them.
#
# Each step runs, AT THE SAME TIME and at the same fixed rate R tasks/s:
#   - pgbench doing a task's state writes (the peers' task_3tx: INSERT, UPDATE to running, UPDATE
#     to succeeded, three transactions), B tasks per transaction (B=1 is the peers' script as it is;
#     Taskgate's group commit shares each statement among several tasks the same way);
#   - RabbitMQ PerfTest, one persistent message per task, publisher confirms (100 in flight),
#     manual ack, one consumer with prefetch 100: the peers' raw RabbitMQ line at a fixed rate.
# Over the middle of the run it reads the CPU of PostgreSQL, RabbitMQ, the PerfTest JVM and pgbench
# from /proc and divides it by the tasks. floor_us = PostgreSQL + RabbitMQ + PerfTest's JVM (the AMQP
# client work a Java gateway does too); ceiling = 2 cores / floor_us. That floor leaves out HTTP,
# JSON, the outbox rows, the completion event and Taskgate's own logic, so the ceiling is an upper
# bound, not a target. A step is "sustained" when both reach 97 % of R and pgbench's schedule lag
# stays under 10 ms (past that, the CPU figures are of a backlog, not of the rate).
# The CPU per task falls as the rate rises (the services' own idle work is shared by more tasks):
# read the step nearest the rate in question.
#
#   bench/ceiling.sh                          # the default steps
#   CEILING_STEPS="1:1000 10:2000" bench/ceiling.sh     # B:R pairs
#
# Prints one JSON line per step (scenario ceiling) on stdout; bench/run.sh appends them to raw.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=../shared/bench/peers
STEPS=${CEILING_STEPS:-"1:1000 1:1200 10:1500 10:2000 10:2500 10:3000"}
T=${CEILING_SECONDS:-26}                 # the CPU is read from second 8 to second T-6
LIB=/tmp/peerbench/perftest/lib          # where ../shared/bench/peers/run.sh keeps PerfTest, too
SCRATCH=/tmp/taskgate-bench/ceiling
QUEUE=taskgate-ceiling
mkdir -p "$SCRATCH"

[ -d "$PEERS/pgbench" ] || { echo "ceiling: $PEERS is absent here, skipped" >&2; exit 0; }
[ -f "$LIB/perf-test-2.22.1.jar" ] ||
  mvn -q -B -f "$PEERS/rabbitmq-perftest/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB" >"$SCRATCH/fetch.log"

# the peers' table, in a schema of its own in Taskgate's database (trust auth)
export PGOPTIONS="-c search_path=taskgate_ceiling"
psql() { command psql -q -h 127.0.0.1 -U postgres -d test "$@"; }
psql -c 'CREATE SCHEMA IF NOT EXISTS taskgate_ceiling' >/dev/null 2>&1

# task_3tx with B tasks per transaction; the updates name the rows through the array of ids the
# insert returns (pgbench substitutes :ids as text, hence the quoted literal)
batched_script() {
  cat <<SQL
WITH t AS (INSERT INTO pb_task (status, payload) SELECT 'pending', '{"kind":"noop"}' FROM generate_series(1, $1) RETURNING id)
SELECT quote_literal(array_agg(id)::text) AS ids FROM t \gset
UPDATE pb_task SET status = 'running', updated_at = now() WHERE id = ANY (:ids::bigint[]);
UPDATE pb_task SET status = 'succeeded', updated_at = now() WHERE id = ANY (:ids::bigint[]);
SQL
}

for step in $STEPS; do
  b=${step%%:*}; r=${step##*:}
  batched_script "$b" >"$SCRATCH/task_3tx_b$b.sql"
  psql -f "$PEERS/pgbench/schema.sql" >/dev/null 2>&1
  rabbitmqctl -q delete_queue "$QUEUE" >/dev/null 2>&1 || true
  java -cp "$LIB/*" com.rabbitmq.perf.PerfTest -h amqp://guest:guest@127.0.0.1:5672/%2F -x 1 -y 1 -s 200 \
    -f persistent -c 100 -q 100 -u "$QUEUE" -r "$r" -z "$T" >"$SCRATCH/perftest.txt" 2>&1 &
  mq=$!
  pgbench -n -h 127.0.0.1 -U postgres -c 8 -j 2 -R "$(awk -v r="$r" -v b="$b" 'BEGIN {print r / b}')" -T "$T" \
    -f "$SCRATCH/task_3tx_b$b.sql" test >"$SCRATCH/pgbench.txt" 2>&1 &
  pg=$!
  sleep 8; cpu0=$(python3 bench/cpu.py snap); s0=$(date +%s.%N)
  sleep $((T - 14)); cpu1=$(python3 bench/cpu.py snap); s1=$(date +%s.%N)
  wait "$pg" || true; wait "$mq" || true
  rabbitmqctl -q delete_queue "$QUEUE" >/dev/null 2>&1 || true
  us=$(python3 bench/cpu.py per-task "$cpu0" "$cpu1" "$(awk -v r="$r" -v a="$s0" -v b="$s1" 'BEGIN {print r * (b - a)}')")
  python3 - "$b" "$r" "$SCRATCH" "$us" "$(nproc)" <<'PYEOF'
import json, re, sys
b, r, d, us, cores = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5])
pg, mq = open(d + "/pgbench.txt").read(), open(d + "/perftest.txt").read()
num = lambda pat, t: float(m.group(1)) if (m := re.search(pat, t)) else None
tps = num(r"tps = ([\d.]+) \(without initial connection time\)", pg)
lag = num(r"rate limit schedule lag: avg ([\d.]+)", pg)
sent, recv = num(r"sending rate avg: (\d+)", mq), num(r"receiving rate avg: (\d+)", mq)
floor = sum(us.get(k, 0) for k in ("postgres", "rabbitmq", "perftest"))
ok = None not in (tps, lag, sent, recv) and min(tps * b, sent, recv) >= 0.97 * r and lag < 10
print(json.dumps({"scenario": "ceiling", "tasks_per_tx": b, "rate": r, "sustained": ok,
                  "pgbench_tasks_per_s": round(tps * b) if tps else None, "pgbench_lag_ms": lag,
                  "perftest_sent": sent, "perftest_received": recv,
                  "cpu_us_per_task": us, "floor_us": floor, "ceiling_tasks_per_s": round(cores * 1e6 / floor)}))
PYEOF
done
