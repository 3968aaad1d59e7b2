#!/usr/bin/env bash
# What the garbage collector costs Taskgate, per collector (bench/RESULTS.md run 24).
#
#   bench/gc.sh                                   # -XX:+UseSerialGC (the deployment's) and -XX:+UseG1GC
#   bench/gc.sh -XX:+UseSerialGC -XX:+UseParallelGC
#   BENCH_JAR=/tmp/a.jar bench/gc.sh              # another build
#   BENCH_GC_NATIVE=0 BENCH_GC_RUNS=3 bench/gc.sh '-XX:+UseSerialGC' '-XX:+UseSerialGC -Xmn160m' \
#     '-XX:+UseSerialGC' '-XX:+UseSerialGC -Xmn160m'
#                                                 # several options per collector (split on spaces),
#                                                 # alternated; pauses only, three runs each
#
# For each collector, with the bench's fixed 256 MB heap:
#   native   the embedded default (H2, database queue) after a burst of 5,000 echo tasks: the
#            collector's own native memory (-XX:NativeMemoryTracking=summary, "GC" committed) and
#            the process's resident set
#   pauses   RabbitMQ + PostgreSQL (schema taskgate_bench), warmed by 60 s at BENCH_RATE (1,000)/s,
#            then BENCH_GC_RUNS (2) 15 s runs at that rate (LoadGen rate): each run's submit p50 / p99 and the
#            young pauses inside its window (-Xlog:gc, by the JVM's uptime)
# Prints one line per measurement; nothing is appended to results/raw.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${BENCH_JAR:-target/taskgate.jar}
[ -f "$JAR" ] || mvn -B -q package -DskipTests
RATE=${BENCH_RATE:-1000}
PORT=${BENCH_PORT:-18080}
SCRATCH=/tmp/taskgate-bench/gc
mkdir -p "$SCRATCH"
[ $# -gt 0 ] || set -- -XX:+UseSerialGC -XX:+UseG1GC

start() { # collector options, log name, Taskgate arguments...: starts Taskgate, waits until ready, sets PID
  local gc=$1 name=$2; shift 2
  # shellcheck disable=SC2086
  java -Xms256m -Xmx256m $gc -XX:NativeMemoryTracking=summary \
    -Xlog:gc:file="$SCRATCH/$name-gc.txt":uptime -jar "$JAR" --server.port="$PORT" \
    --logging.level.root=WARN "$@" >"$SCRATCH/$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && return 0
    sleep 0.5
  done
  echo "Taskgate did not start, see $SCRATCH/$name.log" >&2
  exit 1
}
stop() { kill -TERM "$PID"; wait "$PID" || true; }
uptime_s() { jcmd "$PID" VM.uptime | awk 'NR == 2 {print $1 + 0}'; }
pauses() { # gc log, from, to (uptime seconds): the pauses that began in that window
  awk -v a="$2" -v b="$3" -F'[][]' '/Pause/ {
      t = $2; sub(/s$/, "", t)
      if (t + 0 >= a && t + 0 <= b) { n = split($0, f, " "); v = f[n]; sub(/ms$/, "", v); print v }
    }' "$1" | sort -n | awk -v span="$3 - $2" '
    {a[NR] = $1; s += $1}
    END {
      if (NR == 0) { print "no pauses"; exit }
      printf "%d pauses, p50 %.1f ms, longest %.1f ms, %.0f ms in all", NR, a[int(NR / 2) + 1], a[NR], s
    }'
}

for gc in "$@"; do
  tag=${gc//[^A-Za-z0-9]/}
  if [ "${BENCH_GC_NATIVE:-1}" != 0 ]; then
    rm -rf "$SCRATCH/h2"
    start "$gc" "$tag-native" \
      "--spring.datasource.url=jdbc:h2:file:$SCRATCH/h2/taskgate;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
    java bench/LoadGen.java burst "http://127.0.0.1:$PORT" 5000 32 >/dev/null
    gc_mb=$(jcmd "$PID" VM.native_memory summary scale=MB | awk '/^-  *GC \(/ {sub(/.*committed=/, ""); print $0 + 0}')
    rss_mb=$(( $(awk '/VmRSS/ {print $2}' "/proc/$PID/status") / 1024 ))
    stop
    echo "$gc native: collector ${gc_mb} MB committed, resident set ${rss_mb} MB (H2, after 5,000 tasks)"
  fi

  psql -q -h 127.0.0.1 -U postgres -d test -c 'DROP SCHEMA IF EXISTS taskgate_bench CASCADE' \
    -c 'CREATE SCHEMA taskgate_bench' >/dev/null 2>&1
  rabbitmqctl -q purge_queue tasks.echo >/dev/null 2>&1 || true
  start "$gc" "$tag-pauses" --taskgate.broker=rabbitmq --spring.datasource.username=postgres \
    "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=taskgate_bench"
  for _ in 1 2 3; do java bench/LoadGen.java rate "http://127.0.0.1:$PORT" "$RATE" 20 64 >/dev/null; done
  for run in $(seq 1 "${BENCH_GC_RUNS:-2}"); do
    t0=$(uptime_s)
    out=$(java bench/LoadGen.java rate "http://127.0.0.1:$PORT" "$RATE" 15 64)
    t1=$(uptime_s)
    latency=$(echo "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); print("submit p50 / p99 %.1f / %.1f ms" % (d["submit_p50_ms"], d["submit_p99_ms"]))')
    heap=$(awk '/Pause/ {h = $(NF - 1)} END {print h}' "$SCRATCH/$tag-pauses-gc.txt")
    echo "$gc pauses, run $run at $RATE/s: $latency; $(pauses "$SCRATCH/$tag-pauses-gc.txt" "$t0" "$t1"); last $heap"
  done
  stop
done
echo "host: $(python3 bench/hostcal.py)"
