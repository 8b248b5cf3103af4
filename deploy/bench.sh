#!/bin/sh
# Benchmarks: pushes through a real server (batch 1, 10, 50 from concurrent devices), the raw SQLite insert rate of
# this machine, and evidence uploads through the server into S3 (S3Proxy, fetched from Maven Central) beside direct
# PUTs to the same S3 server. Written to docs/performance-latest.md. Run from anywhere; takes a few minutes.
# Usage: deploy/bench.sh [devices] [events]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
devices=${1:-16}
events=${2:-60000}
./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
data=$(mktemp -d)
port=18089
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dpodsync.data-dir="$data" -Dserver.port=$port \
  -Djava.util.logging.config.file=server/src/test/resources/logging-test.properties \
  -jar server/target/podsync-server.jar > "$data/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 60); do [ -f "$data/bootstrap-credentials.properties" ] && break; sleep 0.5; done
sleep 1
secret=$(sed -n 's/^erp.client-secret=//p' "$data/bootstrap-credentials.properties")
sim() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar device-simulator/target/podsync-simulator.jar "$@"; }
out=$(mktemp)
# Warm the server's JIT first: each line's own warm-up is too short for the first lines (batch 10 measured 14,300
# events/s after the cold start, 26,400 once warm).
sim load --server "http://127.0.0.1:$port" --erp-secret "$secret" --devices 64 --batch 50 --events 200000 \
  --warmup 0 > /dev/null
for batch in 1 10 50; do
  n=$events; [ "$batch" = 1 ] && n=$((events / 6))
  sim load --server "http://127.0.0.1:$port" --erp-secret "$secret" --devices "$devices" --batch $batch \
    --events $n --warmup $((n / 2)) | tee -a "$out"
done
# A bigger fleet at batch 50: more pushes in flight keep the single SQLite writer busy.
sim load --server "http://127.0.0.1:$port" --erp-secret "$secret" --devices 64 --batch 50 \
  --events $((events * 3)) --warmup $events | tee -a "$out"
sim bench-sqlite --rows 300000 --batch 100 | tee -a "$out"
sim bench-sqlite --rows 300000 --batch 100 --keys random | tee -a "$out"
kill $server_pid 2>/dev/null || true

# Uploads: an S3 server (S3Proxy, unsigned requests allowed) and a server storing artifacts in it.
./mvnw -q -B dependency:copy -N -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies -DoutputDirectory="$data/tools"
mkdir -p "$data/s3"
printf 's3proxy.endpoint=http://127.0.0.1:19089\ns3proxy.authorization=none\njclouds.provider=filesystem\njclouds.filesystem.basedir=%s\n' "$data/s3" > "$data/s3proxy.conf"
"$JAVA_HOME/bin/java" -jar "$data/tools/s3proxy-4.1.0-jar-with-dependencies.jar" --properties "$data/s3proxy.conf" > "$data/s3.log" 2>&1 &
s3_pid=$!
trap 'kill $server_pid $s3_pid 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:19089/ && break; sleep 0.5; done
curl -s -X PUT -o /dev/null http://127.0.0.1:19089/direct
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dpodsync.data-dir="$data/s3server" -Dserver.port=$((port + 1)) \
  -Dpodsync.artifacts.store=s3 -Dpodsync.artifacts.s3.endpoint=http://127.0.0.1:19089 \
  -Dpodsync.artifacts.s3.bucket=podsync-evidence -Dpodsync.artifacts.s3.access-key=bench \
  -Dpodsync.artifacts.s3.secret-key=bench-secret-key -Dpodsync.uploads.max-chunk-bytes=16777216 \
  -Djava.util.logging.config.file=server/src/test/resources/logging-test.properties \
  -jar server/target/podsync-server.jar > "$data/s3server.log" 2>&1 &
server_pid=$!
for i in $(seq 1 60); do [ -f "$data/s3server/bootstrap-credentials.properties" ] && break; sleep 0.5; done
sleep 1
secret=$(sed -n 's/^erp.client-secret=//p' "$data/s3server/bootstrap-credentials.properties")
sim bench-upload --server "http://127.0.0.1:$((port + 1))" --erp-secret "$secret" --s3 http://127.0.0.1:19089/direct \
  --seconds 10 --concurrency 4 | tee -a "$out"
kill $server_pid 2>/dev/null || true

# ERP forwarding: a backlog of confirmations drained into the reference receiver (which checks every signature).
webhook="whsec_$(head -c 32 /dev/urandom | base64)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dpodsync.data-dir="$data/erpserver" -Dserver.port=$((port + 2)) \
  -Dpodsync.erp.endpoints.0.name=erp -Dpodsync.erp.endpoints.0.url=http://127.0.0.1:19191/webhooks/pod \
  -Dpodsync.erp.endpoints.0.secrets.0="$webhook" \
  -Djava.util.logging.config.file=server/src/test/resources/logging-test.properties \
  -jar server/target/podsync-server.jar > "$data/erpserver.log" 2>&1 &
server_pid=$!
for i in $(seq 1 60); do [ -f "$data/erpserver/bootstrap-credentials.properties" ] && break; sleep 0.5; done
sleep 1
erp_secret=$(sed -n 's/^erp.client-secret=//p' "$data/erpserver/bootstrap-credentials.properties")
ops_secret=$(sed -n 's/^ops.client-secret=//p' "$data/erpserver/bootstrap-credentials.properties")
sim bench-erp --server "http://127.0.0.1:$((port + 2))" --erp-secret "$erp_secret" --ops-secret "$ops_secret" \
  --webhook-secret "$webhook" --receiver-port 19191 --confirmations "${ERP_BACKLOG:-100000}" | tee -a "$out"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
  echo "<!-- generated by deploy/bench.sh on $(date -u +%Y-%m-%dT%H:%MZ) -->"
  echo "### Latest run"
  echo
  echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/{print $2}') GiB, $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)."
  echo "Server, S3 server, ERP receiver and load generators share the machine. $devices devices (64 in the last push line), warm JVMs."
  echo
  echo '```'
  cat "$out"
  echo '```'
} > docs/performance-latest.md
echo "written to docs/performance-latest.md"
