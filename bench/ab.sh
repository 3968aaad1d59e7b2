#!/usr/bin/env bash
# Two builds of Taskgate, alternated through the same scenario, for a change too small to see
# across sessions: this machine's speed drifts by more than 15 % within half an hour (RESULTS.md
# run 20), so a change is measured against the build before it in the same run, turn about.
#
#   git stash; mvn -B -q package -DskipTests; cp target/taskgate.jar /tmp/a.jar
#   git stash pop; mvn -B -q package -DskipTests; cp target/taskgate.jar /tmp/b.jar
#   bench/ab.sh /tmp/a.jar /tmp/b.jar                  # wrk-rabbitmq-pg, BENCH_AB_ROUNDS (2) rounds
#   bench/ab.sh /tmp/a.jar /tmp/b.jar wrk-db-pg
#   bench/ab.sh target/taskgate.jar 'target/taskgate.jar -XX:+UseSerialGC'
#                                                      # one jar, two sets of JVM options
#
# Each round runs bench/run.sh SCENARIO with BENCH_JAR=A, then with BENCH_JAR=B (recorded as
# "jar"); words after a jar's path are JVM options for it (BENCH_JVM_ARGS, recorded as
# "jvm_args"); the other BENCH_* settings apply. At the end bench/ab.py compares the two (see there).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,15p' "$0"; exit 2; }
A=$1 B=$2 SCENARIO=${3:-wrk-rabbitmq-pg}
for build in "$A" "$B"; do read -r jar _ <<<"$build"; [ -f "$jar" ] || { echo "$jar: no such file" >&2; exit 1; }; done
RAW=bench/results/raw.jsonl
FIRST=$(( $(wc -l <"$RAW") + 1 ))
for round in $(seq "${BENCH_AB_ROUNDS:-2}"); do
  for build in "$A" "$B"; do
    echo "== round $round: $build"
    read -r jar jvm_args <<<"$build"
    BENCH_JAR=$jar BENCH_JVM_ARGS=$jvm_args bench/run.sh "$SCENARIO"
  done
done
python3 bench/ab.py "$RAW" "$FIRST" "$A" "$B"
