#!/bin/sh
# The trace API on a big database: fills a SQLite file with a fleet's history (1,000,000 events by default, about 1 GB
# in a temporary directory) and asks for traces by each key. Written to docs/performance-trace-latest.md;
# docs/performance.md interprets the numbers. Takes a few minutes.
# Usage: deploy/bench-trace.sh [events]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
events=${1:-1000000}
./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl server -am package
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx1g \
  -Djava.util.logging.config.file=server/src/test/resources/logging-test.properties \
  -cp server/target/test-classes:server/target/podsync-server.jar \
  io.podsync.server.TraceBench "$events" docs/performance-trace-latest.md "$data"
