#!/bin/sh
# The quick-start demo: a local broker in a scratch data directory, a topic, records produced
# from stdin and consumed back, then the broker stopped. Uses a free port, so a Kafka already on
# 9092 does not get in the way. Whatever happens (a failing step, Ctrl-C), the trap stops the
# demo's broker and removes its data directory, so the demo can be run again and again.
# DEMO_KEEP_DATA=1 keeps the directory (its path is printed) to look at afterwards.
set -eu
cli="$(dirname "$0")/../bin/kafka-ts.cjs"
kafka_ts() { node "$cli" "$@"; }

# Its own directory every time: a user's $KAFKA_TS_HOME (and broker) is never touched.
KAFKA_TS_HOME="$(mktemp -d "${TMPDIR:-/tmp}/kafka-ts-demo.XXXXXX")"
export KAFKA_TS_HOME
cleanup() {
  status=$?
  trap - EXIT INT TERM
  node "$cli" server stop >/dev/null 2>&1 || true
  if [ "${DEMO_KEEP_DATA:-}" = 1 ]; then echo "demo data kept in $KAFKA_TS_HOME"; else rm -rf "$KAFKA_TS_HOME"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo '$ kafka-ts server start --port 0'
kafka_ts server start --port 0
echo
echo '$ kafka-ts topics create orders -p 3'
kafka_ts topics create orders -p 3
echo
echo "\$ printf 'alice\\\\tpizza\\\\nbob\\\\tsalad\\\\ncarol\\\\tsoup\\\\n' | kafka-ts console-producer --topic orders --property parse.key=true"
printf 'alice\tpizza\nbob\tsalad\ncarol\tsoup\n' | kafka_ts console-producer --topic orders --property parse.key=true
echo
echo '$ kafka-ts console-consumer --topic orders --from-beginning -e --property print.key=true --property print.partition=true'
kafka_ts console-consumer --topic orders --from-beginning -e --property print.key=true --property print.partition=true
echo
echo '$ kafka-ts topics describe orders'
kafka_ts topics describe orders
echo
echo '$ kafka-ts console-consumer --topic orders --offset earliest:end --output json'
kafka_ts console-consumer --topic orders --offset earliest:end --output json
echo
echo '$ kafka-ts server stop'
kafka_ts server stop
