#!/usr/bin/env bash
# Taskgate benchmark: one command, results appended to bench/results/raw.jsonl.
#
#   bench/run.sh                      # every scenario below, once
#   bench/run.sh db-pg rabbitmq-pg    # some of them
#   BENCH_N=20000 BENCH_CONCURRENCY=64 BENCH_K=300 bench/run.sh
#   BENCH_APP_ARGS='--taskgate.outbox.publish-grace=0s' bench/run.sh lone-rabbitmq-pg
#                                     # extra Taskgate arguments (split on spaces; recorded as app_args)
#   BENCH_JAR=/tmp/a.jar bench/run.sh wrk-rabbitmq-pg
#                                     # another build of Taskgate (recorded as jar; bench/ab.sh alternates two)
#   BENCH_JVM_ARGS=-XX:+UseG1GC bench/run.sh wrk-rabbitmq-pg
#                                     # JVM options for Taskgate instead of the deployment's
#                                     # -XX:+UseSerialGC (recorded as jvm_args; the heap stays 256 MB)
#   BENCH_STATEMENTS=1 bench/run.sh wrk-rabbitmq-pg
#                                     # also PostgreSQL's statements per measured flood (pg_stat_statements:
#                                     # preloaded by ALTER SYSTEM and a restart of the local cluster for the
#                                     # run, then reset and restarted again), in bench/results/statements/
#
# Scenarios (Taskgate runs as one process with both roles, a fixed 256 MB heap, on this machine):
#   db-h2, db-pg, rabbitmq-pg                burst of N no-op echo tasks over HTTP
#   db-h2-callbacks, db-pg-callbacks, rabbitmq-pg-callbacks   the same with a callback per task
#   lone-db-h2, lone-db-pg, lone-rabbitmq-pg, lone-kafka-pg
#                                            K tasks one at a time (bench/lone.py: submit, long-poll GET until
#                                            SUCCEEDED), after a warm-up pass of BENCH_LONE_WARMUP
#   wrk-db-pg, wrk-rabbitmq-pg, wrk-kafka-pg warm-up floods until the JIT is quiet (at most
#                                            BENCH_WARMUP_ROUNDS), then BENCH_REPS floods with wrk
#                                            (BENCH_SECONDS, 64 connections), each drained: end-to-end
#                                            figures from the tasks' timestamps (LoadGen collect) and
#                                            the JIT's compile seconds, CPU and context switches per task
#                                            (bench/cpu.py) and PostgreSQL's commits and rows per task
#                                            meanwhile; then one run at a
#                                            fixed BENCH_RATE/s (LoadGen rate: open loop, evenly
#                                            spaced, 64 connections), recorded as rate-*
#   api-rabbitmq-pg                          the api role alone (no worker: tasks wait in RabbitMQ,
#                                            emptied after each run) at BENCH_RATE/s, BENCH_REPS runs
#                                            after warm-up runs: the submit latency without workers on
#                                            the same 2 cores, and its CPU per submission
#   wrk-split-rabbitmq-pg                    the wrk run with the roles in two processes (api on the
#                                            port the load goes to, worker beside it), each 256 MB:
#                                            the heap each role needs (heap_used_mb, worker_heap_used_mb)
#   *kafka-pg*                               a real single-node KRaft broker (Kafka 3.9, the jars the
#                                            tests resolve from Maven Central) started by this script
#                                            on 127.0.0.1:19092, data in /tmp, stopped at the end
#   celery                                   Celery RabbitMQ + Redis, prefork 2, acks_late (burst) and
#                                            its lone-task latency, through ../shared/bench/peers
#                                            (skipped when that is absent)
#   raw                                      the machine's raw limits through the same scripts:
#                                            pgbench with Taskgate's writes per task, RabbitMQ PerfTest
#   ceiling                                  pgbench and PerfTest together at fixed rates, B tasks per
#                                            transaction: PostgreSQL + RabbitMQ CPU per task and the
#                                            rate it allows on this machine (bench/ceiling.sh)
# At the end the run's lines are summarized (bench/summary.py): medians, Taskgate / Celery ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-10000}
C=${BENCH_CONCURRENCY:-64}
K=${BENCH_K:-200}
SECONDS_WRK=${BENCH_SECONDS:-15}
WARMUP_ROUNDS=${BENCH_WARMUP_ROUNDS:-12}
REPS=${BENCH_REPS:-3}
RATE=${BENCH_RATE:-1000}
LONE_WARMUP=${BENCH_LONE_WARMUP:-6000}
PORT=${BENCH_PORT:-18080}
OUT=bench/results
SCRATCH=/tmp/taskgate-bench
mkdir -p "$OUT" "$SCRATCH"
RAW="$OUT/raw.jsonl"
touch "$RAW"
FIRST_LINE=$(( $(wc -l <"$RAW") + 1 ))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(wrk-db-pg wrk-rabbitmq-pg wrk-kafka-pg db-h2 db-pg-callbacks rabbitmq-pg-callbacks lone-db-h2 lone-db-pg lone-rabbitmq-pg lone-kafka-pg celery raw)

# BENCH_JAR: another jar to run (bench/ab.sh), recorded as "jar"; by default the project's, built if missing
JAR=${BENCH_JAR:-target/taskgate.jar}
# the collector the deployment names (Dockerfile, kubernetes/base): a pod under 1,792 MB gets it
# from the JVM anyway, and G1 took 47 MB of native memory more at this heap (bench/RESULTS.md run 24)
JVM_ARGS=${BENCH_JVM_ARGS:--XX:+UseSerialGC}
if [ ! -f "$JAR" ]; then
  [ -z "${BENCH_JAR:-}" ] || { echo "BENCH_JAR=$JAR: no such file" >&2; exit 1; }
  mvn -B -q package -DskipTests
fi

PG_URL="jdbc:postgresql://127.0.0.1:5432/test?currentSchema=taskgate_bench"
fresh_pg() {
  psql -q -h 127.0.0.1 -U postgres -d test -c 'DROP SCHEMA IF EXISTS taskgate_bench CASCADE' -c 'CREATE SCHEMA taskgate_bench' >/dev/null
}

APP_PID=""
WORKER_PID=""
launch() { # log name, port, extra args...: starts Taskgate, waits until ready, sets LAUNCHED
  local name=$1 port=$2; shift 2
  # shellcheck disable=SC2086
  java -Xms256m -Xmx256m $JVM_ARGS -jar "$JAR" --server.port="$port" \
    --logging.level.root=WARN --logging.level.io.taskgate=WARN "$@" ${BENCH_APP_ARGS:-} >"$SCRATCH/$name.log" 2>&1 &
  LAUNCHED=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null && return 0
    sleep 0.5
  done
  echo "Taskgate did not start, see $SCRATCH/$name.log" >&2
  exit 1
}
start_app() { # name, extra args...: the process the load goes to
  local name=$1; shift
  launch "$name" "$PORT" "$@"
  APP_PID=$LAUNCHED
}
start_worker() { # name, extra args...: a second process with the worker role only (split-*)
  local name=$1; shift
  launch "$name" $((PORT + 1)) "$@" --taskgate.roles=worker
  WORKER_PID=$LAUNCHED
}
stop_pid() { # SIGTERM, then wait for the process to end
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
stop_app() { stop_pid "$WORKER_PID"; WORKER_PID=""; stop_pid "$APP_PID"; APP_PID=""; }
KAFKA_PID=""
KAFKA_PORT=19092
# A single-node KRaft broker (broker + controller in one JVM) from the Kafka jars on the project's
# test classpath (spring-kafka-test pulls kafka_2.13), as `bin/kafka-server-start.sh` would run it.
start_kafka() {
  [ -z "$KAFKA_PID" ] || return 0
  local dir=$SCRATCH/kafka cp
  rm -rf "$dir" && mkdir -p "$dir"
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/classpath" >/dev/null
  cp=$(cat "$dir/classpath")
  cat >"$dir/logback.xml" <<'XML'
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d %-5level %logger{36} %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
XML
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((KAFKA_PORT + 1))
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local kafka_java=(java -Xmx512m -Dlogback.configurationFile="$dir/logback.xml" -cp "$cp")
  "${kafka_java[@]}" kafka.tools.StorageTool format -t "$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid)" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1
  "${kafka_java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
  KAFKA_PID=$!
  for _ in $(seq 1 120); do
    (exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null && return 0
    sleep 0.5
  done
  echo "Kafka did not start, see $dir/kafka.log" >&2
  exit 1
}
stop_kafka() { stop_pid "$KAFKA_PID"; KAFKA_PID=""; }
# BENCH_STATEMENTS=1: pg_stat_statements for the run (the server is restarted to load it, and
# restarted again at the end without it, so that other runs measure the server as configured)
STATEMENTS_LOADED=""
pg_restart() { pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main restart; }
load_statements() {
  [ "${BENCH_STATEMENTS:-}" = 1 ] || return 0
  if ! psql -tA -h 127.0.0.1 -U postgres -d test -c 'SHOW shared_preload_libraries' | grep -q pg_stat_statements; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
    pg_restart
    STATEMENTS_LOADED=1
  fi
  psql -q -h 127.0.0.1 -U postgres -d test -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
  mkdir -p "$OUT/statements"
}
unload_statements() {
  [ -n "$STATEMENTS_LOADED" ] || return 0
  psql -q -h 127.0.0.1 -U postgres -d test -c 'DROP EXTENSION IF EXISTS pg_stat_statements' \
    -c 'ALTER SYSTEM RESET shared_preload_libraries'
  pg_restart
  STATEMENTS_LOADED=""
}
statements_reset() {
  [ "${BENCH_STATEMENTS:-}" = 1 ] || return 0
  psql -q -h 127.0.0.1 -U postgres -d test -c 'SELECT pg_stat_statements_reset()' >/dev/null
}
statements_report() { # name, tasks done: the statements since the reset, per task, into a file
  [ "${BENCH_STATEMENTS:-}" = 1 ] || return 0
  local file
  file="$OUT/statements/$1-$(date -u +%Y%m%dT%H%M%S).txt"
  psql -h 127.0.0.1 -U postgres -d test -v n="$2" >"$file" <<'SQL'
SELECT calls, round(calls::numeric / :n, 3) AS calls_per_task, round(rows::numeric / greatest(calls, 1), 1) AS rows_per_call,
       round((total_exec_time * 1000 / :n)::numeric, 1) AS exec_us_per_task,
       left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS statement
  FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 15;
SELECT sum(calls) AS calls, round(sum(calls)::numeric / :n, 2) AS calls_per_task,
       round((sum(total_exec_time) * 1000 / :n)::numeric, 0) AS exec_us_per_task FROM pg_stat_statements;
SQL
  echo "statements: $file"
}
trap 'stop_app; stop_kafka; unload_statements' EXIT
load_statements

# RabbitMQ as a run needs it: tasks.echo may hold messages of an earlier run (they name no task
# here), and the test suite's event queues (test.events.*, bound to taskgate.events, expiring a
# minute after their test) would store every completion event of the run: two of them, left by
# tests run 10 minutes before, took RabbitMQ from ~410 to ~1,100 us of CPU per task (RESULTS run 14)
quiet_rabbitmq() {
  rabbitmqctl -q purge_queue tasks.echo >/dev/null 2>&1 || true
  rabbitmqctl -q list_queues name 2>/dev/null | { grep '^test\.events\.' || true; } \
    | xargs -r -n1 rabbitmqctl -q delete_queue >/dev/null 2>&1 || true
}

heap_used_mb() { # [pid]: G1 used heap now
  jcmd "${1:-$APP_PID}" GC.heap_info 2>/dev/null | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub(/K,?/,"",v); print int(v/1024); exit}}'
}

record() { # scenario, json from LoadGen
  local meta
  meta=$(printf '"scenario":"%s","date":"%s","host_cores":%s,"taskgate":"%s","heap_used_mb":%s,"poll_ms":%s' \
    "$1" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$(git rev-parse --short HEAD)" "${3:-null}" "${BENCH_POLL_MS:-1000}")
  [ -z "${BENCH_APP_ARGS:-}" ] || meta="$meta,\"app_args\":\"${BENCH_APP_ARGS//\"/\\\"}\""
  [ -z "${BENCH_JAR:-}" ] || meta="$meta,\"jar\":\"$BENCH_JAR\""
  meta="$meta,\"jvm_args\":\"$JVM_ARGS\""
  [ "${BENCH_STATEMENTS:-}" != 1 ] || meta="$meta,\"pg_stat_statements\":true"
  # the host's speed just after the measurement (idle: the flood is drained), see bench/hostcal.py
  meta="$meta,\"host\":$(python3 bench/hostcal.py)"
  echo "{$meta,${2#\{}" | tee -a "$RAW"
}

app_args() { # scenario -> Taskgate arguments
  case $1 in
    *db-h2*) echo "--spring.datasource.url=jdbc:h2:file:$SCRATCH/h2/taskgate;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" ;;
    *db-pg*) echo "--spring.datasource.url=$PG_URL --spring.datasource.username=postgres" ;;
    *rabbitmq-pg*) echo "--spring.datasource.url=$PG_URL --spring.datasource.username=postgres --taskgate.broker=rabbitmq" ;;
    *kafka-pg*) echo "--spring.datasource.url=$PG_URL --spring.datasource.username=postgres --taskgate.broker=kafka --camel.component.kafka.brokers=127.0.0.1:$KAFKA_PORT" ;;
  esac
}

# between floods: forget the tasks. TRUNCATE, not DELETE + VACUUM (ANALYZE): the VACUUM cannot
# cut the emptied pages off while Taskgate's connections use the table, and then records 0 rows on
# 3,000 pages; the planner believes that until the next ANALYZE (never: this machine's PostgreSQL
# runs with autovacuum = off), so the next flood's claims and outcomes read the whole primary key
# for each group (PostgreSQL ~1,500 instead of ~130 us per task, 1 flood in 3; run 18). A table
# truncated has no statistics (reltuples -1) and is planned by its real size. In production the
# table keeps the finished tasks of the retention period, so it never has 0-row statistics.
# Taskgate may still be publishing the last completion events: a transaction of its relay can hold
# the outbox and wait for the task table while TRUNCATE holds that and waits for the outbox
# ("deadlock detected", PostgreSQL aborts the TRUNCATE); so try again.
clean_tasks() {
  local try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test -c 'SET lock_timeout = 5000' \
      -c 'TRUNCATE taskgate_bench.task, taskgate_bench.outbox, taskgate_bench.callback_delivery' \
      >/dev/null 2>"$SCRATCH/truncate.err" && return 0
    sleep 1
  done
  echo "could not empty taskgate_bench's tables: $(cat "$SCRATCH/truncate.err")" >&2
  exit 1
}

outbox_rows() { # messages the relay has not published yet
  psql -Atq -h 127.0.0.1 -U postgres -d test -c 'SELECT count(*) FROM taskgate_bench.outbox'
}

jit_seconds() { # compile time the JVMs have spent so far (jstat), in seconds
  local pid total=0
  for pid in $APP_PID $WORKER_PID; do
    total=$(awk -v t="$total" -v j="$(jstat -compiler "$pid" 2>/dev/null | awk 'NR == 2 {print $4}')" 'BEGIN {print t + j}')
  done
  echo "$total"
}

wrk_submit() { # seconds -> JSON fields: submit rate and latency percentiles
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  wrk -t2 -c64 -d"$1"s --latency -s bench/submit.lua "http://127.0.0.1:$PORT/api/v1/tasks" >"$SCRATCH/wrk.txt"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /Requests\/sec/ { rate = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "\"submit_rate\":%.0f,\"submit_p50_ms\":%.2f,\"submit_p99_ms\":%.2f,\"submit_non_2xx\":%d", rate, p50, p99, bad + 0 }
  ' "$SCRATCH/wrk.txt"
}

# PostgreSQL's own counters for the bench schema: commits in the database, then rows inserted,
# updated (of which HOT: no index entry written) and deleted in task and outbox
pg_counts() {
  psql -tA -F' ' -h 127.0.0.1 -U postgres -d test -c "
    SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = 'test'),
           coalesce(sum(n_tup_ins) FILTER (WHERE relname = 'task'), 0),
           coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'task'), 0),
           coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'task'), 0),
           coalesce(sum(n_tup_ins) FILTER (WHERE relname = 'outbox'), 0),
           coalesce(sum(n_tup_del) FILTER (WHERE relname = 'outbox'), 0)
      FROM pg_stat_user_tables WHERE schemaname = 'taskgate_bench'"
}
pg_per_task() { # counts before, counts after, tasks -> JSON object, per task
  # a backend reports its counters at most once a second, an idle one after 10 s: read after 11 s
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    split("commits task_inserts task_updates task_hot_updates outbox_inserts outbox_deletes", k, " ")
    printf "{"; for (i = 1; i <= 6; i++) printf "%s\"%s\":%.2f", (i > 1 ? "," : ""), k[i], (y[i] - x[i]) / n; printf "}"
  }'
}

rate_submit() { # seconds, rate -> JSON fields: achieved rate and latency percentiles at that offered rate
  # open loop, evenly spaced, latency from each submission's scheduled time (LoadGen rate). hey -q,
  # used up to run 9, paced each of its 50 workers on its own ticker: 50 submissions at once every
  # 50 ms, which measured bursts (bench/RESULTS.md run 10)
  java bench/LoadGen.java rate "http://127.0.0.1:$PORT" "$2" "$1" 64 | sed 's/^{//; s/}$//'
}

for s in "${SCENARIOS[@]}"; do
  case $s in
    wrk-*)
      fresh_pg
      quiet_rabbitmq
      case $s in *kafka*) start_kafka ;; esac
      # shellcheck disable=SC2046
      case $s in
        *split*) start_app "$s-api" $(app_args "${s#wrk-}") --taskgate.roles=api
                 start_worker "$s-worker" $(app_args "${s#wrk-}") ;;
        *) start_app "$s" $(app_args "${s#wrk-}") ;;
      esac
      echo "== $s (warm-up floods until the JIT is quiet and the rate stops rising, then $REPS x ${SECONDS_WRK} s floods and ${SECONDS_WRK} s at ${RATE}/s)"
      # A fresh JVM compiles for minutes on 2 cores (C2: ~40 s of compile time per flood at first);
      # measure the service it becomes: 15 s floods, each drained, until one costs < 5 s of JIT
      # and its end-to-end rate is no more than 5 % above the flood before. The JIT alone was not
      # enough on a slower machine (run 19): it stopped after 5 floods, and the first measured
      # flood then ran at 1,411/s against 2,039 and 1,882 for the next two.
      warm=0
      previous=0
      for round in $(seq 1 "$WARMUP_ROUNDS"); do
        jit0=$(jit_seconds)
        wrk_submit 15 >/dev/null
        rate=$(java bench/LoadGen.java collect "http://127.0.0.1:$PORT" \
          | python3 -c 'import json, sys; print(json.load(sys.stdin)["e2e_rate"])')
        clean_tasks
        warm=$round
        awk -v a="$jit0" -v b="$(jit_seconds)" -v r="$rate" -v p="$previous" \
          'BEGIN {exit !(b - a < 5 && r <= p * 1.05)}' && break
        previous=$rate
      done
      for rep in $(seq 1 "$REPS") rate; do
        jit0=$(jit_seconds)
        cpu0=$(python3 bench/cpu.py snap)
        pg0=$(pg_counts)
        statements_reset
        if [ "$rep" = rate ]; then
          name="rate-${s#wrk-}"; mode=rate; submit=$(rate_submit "$SECONDS_WRK" "$RATE")
        else
          name=$s; mode=wrk; submit=$(wrk_submit "$SECONDS_WRK")
        fi
        collected=$(java bench/LoadGen.java collect "http://127.0.0.1:$PORT")
        # CPU per process group over the flood, its drain and the read-back, per task done
        done_n=$(echo "$collected" | python3 -c 'import json, sys; print(max(1, json.load(sys.stdin)["succeeded"]))')
        cpu1=$(python3 bench/cpu.py snap)
        cpu=$(python3 bench/cpu.py per-task "$cpu0" "$cpu1" "$done_n")
        switches=$(python3 bench/cpu.py switches "$cpu0" "$cpu1" "$done_n")
        sleep 11
        pg=$(pg_per_task "$pg0" "$(pg_counts)" "$done_n")
        statements_report "$name-$rep" "$done_n"
        jit=$(awk -v a="$jit0" -v b="$(jit_seconds)" 'BEGIN {printf "%.1f", b - a}')
        roles=""
        [ -z "$WORKER_PID" ] || roles="\"roles\":\"api + worker processes\",\"worker_heap_used_mb\":$(heap_used_mb "$WORKER_PID"),"
        record "$name" "{\"mode\":\"$mode\",\"rep\":\"$rep\",\"warmup_floods\":$warm,\"seconds\":$SECONDS_WRK,\"jit_s\":$jit,\"cpu_us_per_task\":$cpu,\"switches_per_task\":$switches,\"pg_per_task\":$pg,$roles$submit,${collected#\{}" "$(heap_used_mb)"
        clean_tasks
      done
      stop_app
      continue ;;
    api-*)
      # The api role alone at BENCH_RATE/s: no worker in the process (the tasks wait in the broker,
      # emptied after each run), so the submissions do not share the 2 cores with the workers, as
      # in a deployment where the api pods and the workers run on their own CPUs. Warm-up: runs at
      # the same rate until one costs < 2 s of JIT (at least 3).
      fresh_pg
      quiet_rabbitmq
      # shellcheck disable=SC2046
      start_app "$s" $(app_args "${s#api-}") --taskgate.roles=api
      echo "== $s (the api role alone: warm-up runs until the JIT is quiet, then $REPS x ${SECONDS_WRK} s at ${RATE}/s)"
      for round in $(seq 1 "$WARMUP_ROUNDS"); do
        jit0=$(jit_seconds)
        rate_submit "$SECONDS_WRK" "$RATE" >/dev/null
        clean_tasks
        quiet_rabbitmq
        warm=$round
        if [ "$round" -ge 3 ] && awk -v a="$jit0" -v b="$(jit_seconds)" 'BEGIN {exit !(b - a < 2)}'; then
          break
        fi
      done
      for rep in $(seq 1 "$REPS"); do
        jit0=$(jit_seconds)
        cpu0=$(python3 bench/cpu.py snap)
        pg0=$(pg_counts)
        submit=$(rate_submit "$SECONDS_WRK" "$RATE")
        # the relay has published what was accepted once the outbox is empty (a minute at most)
        for _ in $(seq 1 120); do
          [ "$(outbox_rows)" = 0 ] && break
          sleep 0.5
        done
        [ "$(outbox_rows)" = 0 ] || { echo "$s: the outbox did not empty within a minute, see $SCRATCH/$s.log" >&2; exit 1; }
        accepted=$(psql -Atq -h 127.0.0.1 -U postgres -d test -c 'SELECT count(*) FROM taskgate_bench.task')
        cpu1=$(python3 bench/cpu.py snap)
        cpu=$(python3 bench/cpu.py per-task "$cpu0" "$cpu1" "$accepted")
        switches=$(python3 bench/cpu.py switches "$cpu0" "$cpu1" "$accepted")
        sleep 11 # PostgreSQL's counters, as for the floods (pg_per_task)
        pg=$(pg_per_task "$pg0" "$(pg_counts)" "$accepted")
        jit=$(awk -v a="$jit0" -v b="$(jit_seconds)" 'BEGIN {printf "%.1f", b - a}')
        record "$s" "{\"mode\":\"rate\",\"rep\":\"$rep\",\"roles\":\"api\",\"warmup_runs\":$warm,\"seconds\":$SECONDS_WRK,\"jit_s\":$jit,\"accepted\":$accepted,\"cpu_us_per_task\":$cpu,\"switches_per_task\":$switches,\"pg_per_task\":$pg,$submit}" "$(heap_used_mb)"
        clean_tasks
        quiet_rabbitmq
      done
      stop_app
      continue ;;
    ceiling)
      bench/ceiling.sh | tee -a "$RAW"
      continue ;;
    celery|raw)
      if [ -x ../shared/bench/peers/run.sh ]; then
        # the peers' Celery runs on Debian's python3-celery (see ../shared/bench/peers/README.md)
        /usr/bin/python3 -c 'import celery, redis' 2>/dev/null \
          || { apt-get update -qq && apt-get install -y -qq python3-celery python3-redis >/dev/null; }
        if [ "$s" = celery ]; then
          variants=(celery-rabbitmq-redis-ackslate celery-rabbitmq-redis-lone)
        else # the machine's raw limits: PostgreSQL with Taskgate's writes per task, RabbitMQ PerfTest
          variants=(pgbench-3tx pgbench-1tx rabbitmq-classic-confirm100-manualack rabbitmq-classic-confirm1-manualack)
        fi
        for v in "${variants[@]}"; do
          PB_RAW="$SCRATCH/peers.jsonl" ../shared/bench/peers/run.sh "$v" 1
          # the host's JSON goes into sed's replacement: escape what sed reads there (& / \)
          host=$(python3 bench/hostcal.py | sed 's/[&/\]/\\&/g')
          tail -1 "$SCRATCH/peers.jsonl" \
            | sed "s/^{/{\"scenario\":\"$v\",\"host\":$host,/" | tee -a "$RAW"
        done
      else
        echo "$s: ../shared/bench/peers is absent here, skipped"
      fi
      continue ;;
  esac
  rm -rf "$SCRATCH/h2"
  fresh_pg
  quiet_rabbitmq
  case $s in *kafka*) start_kafka ;; esac
  # shellcheck disable=SC2046
  start_app "$s" $(app_args "$s")
  echo "== $s (N=$N, concurrency $C, K=$K)"
  case $s in
    # a warm-up pass first (JIT), as for the wrk scenarios; only the second pass is recorded
    lone-*) python3 bench/lone.py "http://127.0.0.1:$PORT" "$LONE_WARMUP" >/dev/null
            result=$(python3 bench/lone.py "http://127.0.0.1:$PORT" "$K") ;;
    *-callbacks) result=$(java bench/LoadGen.java burst "http://127.0.0.1:$PORT" "$N" "$C" callbacks) ;;
    *) result=$(java bench/LoadGen.java burst "http://127.0.0.1:$PORT" "$N" "$C") ;;
  esac
  record "$s" "$result" "$(heap_used_mb)"
  stop_app
done

echo
python3 bench/summary.py "$RAW" "$FIRST_LINE"
