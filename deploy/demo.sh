#!/bin/sh
# From nothing to a verdict: builds (once), starts a server on a temporary data directory with an ERP endpoint, and
# runs a fleet of offline-first simulated devices through offline periods, duplicates, reordering, crashes, clock
# skew and cut uploads against it, with the reference ERP receiver checking every confirmation arrives exactly once.
# Extra arguments go to the fleet command (see: java -jar device-simulator/target/podsync-simulator.jar fleet --help).
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
if [ ! -f server/target/podsync-server.jar ] || [ ! -f device-simulator/target/podsync-simulator.jar ]; then
  echo "building (once; about a minute on a fresh machine)..."
  ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
fi
data=$(mktemp -d)
port=18095
receiver=19295
webhook="whsec_$(head -c 32 /dev/urandom | base64)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dpodsync.data-dir="$data" -Dserver.port=$port \
  -Dpodsync.erp.endpoints.0.name=demo-erp -Dpodsync.erp.endpoints.0.url=http://127.0.0.1:$receiver/webhooks/pod \
  -Dpodsync.erp.endpoints.0.secrets.0="$webhook" -Dpodsync.erp.poll-interval=PT0.1S \
  -Djava.util.logging.config.file=server/src/test/resources/logging-test.properties \
  -jar server/target/podsync-server.jar > "$data/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 60); do [ -f "$data/bootstrap-credentials.properties" ] && break; sleep 0.5; done
sleep 1
erp=$(sed -n 's/^erp.client-secret=//p' "$data/bootstrap-credentials.properties")
ops=$(sed -n 's/^ops.client-secret=//p' "$data/bootstrap-credentials.properties")
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar device-simulator/target/podsync-simulator.jar fleet \
  --server "http://127.0.0.1:$port" --erp-secret "$erp" --ops-secret "$ops" \
  --erp-receiver-port $receiver --webhook-secret "$webhook" \
  --devices 5 --stops 6 --steps 60 --seed 42 --reorder --max-clock-skew-seconds 900 "$@"
