#!/bin/sh
# Upload throughput beside a peer, in one run: the same tus client (tus-js-client) uploads 100 KB, 1 MB and 10 MB
# artifacts through podsync and through the reference tus server for Node (@tus/server with @tus/s3-store), both
# storing into the same S3 server (S3Proxy, fetched from Maven Central), beside direct PUTs to that S3 server. The npm
# packages go into a scratch directory, never into the repository. The figures replace the marked table in
# docs/performance.md. Run from anywhere; takes about five minutes.
# Usage: deploy/bench-uploads.sh [seconds per path] [uploads in flight]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
seconds=${1:-10}
concurrency=${2:-4}
command -v node >/dev/null || { echo "Node.js 20 or newer is needed (apt-get install nodejs npm)" >&2; exit 1; }
./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$work"' EXIT
(cd "$work" && npm init -y > /dev/null && npm install --no-audit --no-fund --silent \
  tus-js-client@4.3.1 @tus/server@2.4.5 @tus/s3-store@2.0.7)
cp deploy/bench-uploads-peer.mjs deploy/bench-uploads-client.mjs "$work/"

# The S3 server: S3Proxy on the filesystem, unsigned requests allowed.
./mvnw -q -B dependency:copy -N -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies -DoutputDirectory="$work/tools"
s3=http://127.0.0.1:19089
mkdir -p "$work/s3"
printf 's3proxy.endpoint=%s\ns3proxy.authorization=none\njclouds.provider=filesystem\njclouds.filesystem.basedir=%s\n' \
  "$s3" "$work/s3" > "$work/s3proxy.conf"
"$JAVA_HOME/bin/java" -jar "$work/tools/s3proxy-4.1.0-jar-with-dependencies.jar" --properties "$work/s3proxy.conf" \
  > "$work/s3.log" 2>&1 &
pids="$pids $!"
for i in $(seq 1 60); do curl -s -o /dev/null "$s3/" && break; sleep 0.5; done
for bucket in direct tus-peer; do curl -s -X PUT -o /dev/null "$s3/$bucket"; done

# podsync, storing artifacts in S3.
port=18090
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dpodsync.data-dir="$work/podsync" -Dserver.port=$port \
  -Dpodsync.artifacts.store=s3 -Dpodsync.artifacts.s3.endpoint=$s3 -Dpodsync.artifacts.s3.bucket=podsync-evidence \
  -Dpodsync.artifacts.s3.access-key=bench -Dpodsync.artifacts.s3.secret-key=bench-secret-key \
  -Dpodsync.uploads.max-open-per-device=100 \
  -Djava.util.logging.config.file=server/src/test/resources/logging-test.properties \
  -jar server/target/podsync-server.jar > "$work/podsync.log" 2>&1 &
pids="$pids $!"
for i in $(seq 1 60); do [ -f "$work/podsync/bootstrap-credentials.properties" ] && break; sleep 0.5; done
sleep 1
api="http://127.0.0.1:$port"
secret=$(sed -n 's/^erp.client-secret=//p' "$work/podsync/bootstrap-credentials.properties")
json() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
erp=$(curl -s -H 'Content-Type: application/json' \
  -d "{\"grantType\":\"client_credentials\",\"clientId\":\"erp\",\"clientSecret\":\"$secret\"}" "$api/v1/auth/token" | json accessToken)
code=$(curl -s -H 'Content-Type: application/json' -H "Authorization: Bearer $erp" -d '{"driverId":"bench"}' \
  "$api/v1/devices/enrollments" | json code)
token=$(curl -s -H 'Content-Type: application/json' -d "{\"enrollmentCode\":\"$code\",\"deviceName\":\"bench\"}" \
  "$api/v1/auth/enroll" | json accessToken)

# The peer.
(cd "$work" && exec node bench-uploads-peer.mjs 19090 "$s3" tus-peer > "$work/peer.log" 2>&1) &
pids="$pids $!"
for i in $(seq 1 60); do curl -s -o /dev/null -X OPTIONS http://127.0.0.1:19090/files && break; sleep 0.5; done

printf '{"podsync":"%s","token":"%s","peer":"http://127.0.0.1:19090","s3":"%s/direct","sizes":[100000,1000000,10000000],"seconds":%s,"warmup":5,"concurrency":%s}' \
  "$api" "$token" "$s3" "$seconds" "$concurrency" > "$work/config.json"
out="$work/out.txt"
(cd "$work" && node bench-uploads-client.mjs config.json) > "$out" 2>&1 || { cat "$out" "$work/peer.log" >&2; exit 1; }
cat "$out"
# Every podsync upload was new content and stored: the artifacts in its bucket show it.
stored=$(find "$work/s3/podsync-evidence" -type f -path '*sha256*' | wc -l)
echo "podsync stored $stored artifacts in S3"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
  echo "<!-- bench-uploads:start (written by deploy/bench-uploads.sh on $(date -u +%Y-%m-%dT%H:%MZ)) -->"
  echo "Machine: $(nproc) cores ($cpu), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1), Node $(node --version)."
  echo "$concurrency uploads in flight per path, $seconds s per path and size after a 5 s warm-up; one tus-js-client 4.3.1"
  echo "process drives every path; podsync, @tus/server 2.4.5 with @tus/s3-store 2.0.7, S3Proxy 4.1.0 and the client share the machine."
  echo "Every upload is new content; podsync stored $stored artifacts in S3 during the run."
  echo
  echo "| size | path | MB/s |"
  echo "|---:|---|---:|"
  sed -n 's/^size=\([0-9]*\) concurrency=[0-9]* path="\([^"]*\)" MB\/s=\(.*\)$/| \1 | \2 | \3 |/p' "$out"
  echo "<!-- bench-uploads:end -->"
} > "$work/table.md"
awk -v table="$work/table.md" '
  /<!-- bench-uploads:start/ { while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- bench-uploads:end -->/ { skip = 0; next }
  !skip { print }
' docs/performance.md > "$work/performance.md"
if grep -q 'bench-uploads:start' docs/performance.md; then
  cp "$work/performance.md" docs/performance.md
  echo "written to docs/performance.md"
else
  cat "$work/table.md"
  echo "docs/performance.md has no bench-uploads markers; the table is above" >&2
fi
