#!/bin/sh
# Builds (when needed) and starts the podsync server on the embedded default: a SQLite file under ./data.
# Any argument is passed to the JVM as a system property style override, e.g. PODSYNC_DB_URL in the environment.
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
jar=server/target/podsync-server.jar
newest_source=$(find pom.xml mobile-sync-protocol storage server -newer "$jar" -type f \
  \( -name '*.java' -o -name '*.xml' -o -name '*.yaml' -o -name '*.sql' -o -name '*.properties' \) 2>/dev/null | head -n 1 || true)
if [ ! -f "$jar" ] || [ -n "$newest_source" ]; then
  echo "building the server (once; about a minute on a fresh machine)..."
  ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl server -am package
fi
mkdir -p data
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -Djava.util.logging.config.file=server/src/main/resources/logging.properties \
  "$@" -jar "$jar"
