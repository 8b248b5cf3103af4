#!/bin/sh
# Builds the distribution when the sources are newer than it, then starts the server from it (bin/podsync) on the
# embedded default: a SQLite file under ./data. Arguments go to the launcher: -Dkey=value settings, JVM options, or
# --config FILE; environment variables work too (PODSYNC_DB_URL, see docs/operations.md).
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
jar=server/target/podsync-server.jar
newest_source=$(find pom.xml mobile-sync-protocol storage server/pom.xml server/src -newer "$jar" -type f \
  \( -name '*.java' -o -name '*.xml' -o -name '*.yaml' -o -name '*.sql' -o -name '*.properties' -o -path '*/dist/*' \) \
  2>/dev/null | head -n 1 || true)
launcher=$(ls -d server/target/podsync-*/podsync-*/bin/podsync 2>/dev/null | head -n 1 || true)
if [ ! -f "$jar" ] || [ -z "$launcher" ] || [ -n "$newest_source" ]; then
  echo "building the server (once; about a minute on a fresh machine)..."
  ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl server -am package
  launcher=$(ls -d server/target/podsync-*/podsync-*/bin/podsync | head -n 1)
fi
exec "$launcher" "$@"
