#!/usr/bin/env bash
# Deployment figures, side by side in one run, from the distribution (bin/podsync, its JVM defaults):
#  1. push throughput (closed model) on SQLite, on PostgreSQL with one replica and with two replicas;
#  2. push latency at a fixed arrival rate (open model, from each push's intended send time) on SQLite and PostgreSQL;
#  3. resident memory of a replica with 1,000 devices syncing (SQLite and PostgreSQL), and per collector;
#  4. start to ready, with and without the ahead-of-time cache.
# Written to docs/performance-deployment-latest.md; docs/performance.md interprets it. Needs Debian's postgresql.
# Takes about 20 minutes. Every server gets JAVA_OPTS=$SERVER_OPTS (default -XX:MaxRAM=1g: the JVM sizes itself as in a
# 1 GiB container, so the launcher's heap is 256 MiB); the memory runs size it as a 512 MiB container.
#   deploy/bench-deployment.sh [devices] [events] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-64}
events=${2:-200000}
build=1
[ "${3:-}" = --no-build ] && build=0
server_opts=${SERVER_OPTS:--XX:MaxRAM=1g}
. ./.mvn/find-jdk.sh
. deploy/services.sh
[ "$build" = 0 ] || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
run=$(mktemp -d /tmp/podsync-bench.XXXXXX)
server_pid=""
cleanup() { [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; kill "${s3_pid:-}" 2>/dev/null || true; stop_postgres; rm -rf "$run"; }
trap cleanup EXIT
out="$run/out.txt"
: > "$out"
note() { echo "$*" | tee -a "$out"; }
sim() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar device-simulator/target/podsync-simulator.jar "$@"; }

start_postgres 18330
start_s3proxy 18331
unpack_distribution
erp=bench-erp-client-secret-0123456789

# start NAME PORT EXTRA_JAVA_OPTS [config lines...]: a server from the distribution in its own directory.
start() {
  local name=$1 port=$2 opts=$3
  shift 3
  mkdir -p "$run/$name"
  {
    echo "podsync:"
    echo "  auth: {clients: [{id: erp, secret: $erp, scopes: [erp]}]}"
    for line in "$@"; do echo "$line"; done
  } > "$run/$name/podsync.yaml"
  (cd "$run/$name" && JAVA_OPTS="$server_opts $opts" exec "$dist/bin/podsync" --config "$run/$name/podsync.yaml" \
    -Dserver.port="$port" -Dserver.host=127.0.0.1 > "$run/$name/server.log" 2>&1) &
  server_pid=$!
  await "$name" 120 ready "$port"
}
kek=$(head -c 32 /dev/urandom | base64)
postgres=(
  "  db: {url: 'jdbc:postgresql://127.0.0.1:18330/podsync', user: postgres, password: '$pg_password', pool-size: 16}"
  "  keys: {encryption-key: '$kek'}"
  "  artifacts: {store: s3, s3: {endpoint: 'http://127.0.0.1:18331', bucket: bench, access-key: $s3_key, secret-key: '$s3_secret'}}"
)
reset_postgres() {
  PGPASSWORD=$pg_password psql -q -h 127.0.0.1 -p 18330 -U postgres \
    -c 'DROP DATABASE IF EXISTS podsync WITH (FORCE)' -c 'CREATE DATABASE podsync'
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss() { awk '/^VmRSS/{printf "%.0f", $2/1024}' "/proc/$1/status"; }
peak() { awk '/^VmHWM/{printf "%.0f", $2/1024}' "/proc/$1/status"; }
load() { # label servers args...
  local label=$1 servers=$2
  shift 2
  note "$label: $(sim load --server "$servers" --erp-secret "$erp" "$@")"
}

# --- 1 and 2: throughput and latency ---
note "## Push throughput ($devices devices, batch 50, $events events after a warm-up of $((events / 2)))"
start sqlite 18340 ""
load sqlite http://127.0.0.1:18340 --devices "$devices" --batch 50 --events "$events" --warmup $((events / 2))
load "sqlite open" http://127.0.0.1:18340 --devices "$devices" --batch 50 --events 60000 --warmup 0 --rate 100
note "sqlite replica: peak RSS $(peak "$server_pid") MB"
stop "$server_pid"
start pg1 18341 "" "${postgres[@]}"
load "postgresql 1 replica" http://127.0.0.1:18341 --devices "$devices" --batch 50 --events "$events" --warmup $((events / 2))
load "postgresql open" http://127.0.0.1:18341 --devices "$devices" --batch 50 --events 60000 --warmup 0 --rate 100
note "postgresql replica: peak RSS $(peak "$server_pid") MB"
stop "$server_pid"
first=""
start pg2a 18342 "" "${postgres[@]}"; first=$server_pid
start pg2b 18343 "" "${postgres[@]}"
load "postgresql 2 replicas" http://127.0.0.1:18342,http://127.0.0.1:18343 --devices "$devices" --batch 50 \
  --events "$events" --warmup $((events / 2))
stop "$server_pid"; stop "$first"

# --- 3: memory with 1,000 devices, each pushing 10 events every 5 s (200 pushes/s), for 60 s ---
note "## Resident memory with 1,000 devices syncing (10 events per push, each device every 10 s, 60 s; a 512 MiB container)"
memory() { # label port
  local label=$1 port=$2 top=0
  sim load --server "http://127.0.0.1:$port" --erp-secret "$erp" --devices 1000 --batch 10 --events 60000 \
    --warmup 0 --rate 100 > "$run/mem.txt" &
  local loader=$!
  while kill -0 "$loader" 2>/dev/null; do
    now=$(rss "$server_pid"); [ "$now" -gt "$top" ] && top=$now
    sleep 0.5
  done
  wait "$loader"
  note "$label: $(cat "$run/mem.txt")"
  note "$label: RSS at the end $(rss "$server_pid") MB, highest sampled $top MB, peak $(peak "$server_pid") MB"
}
rm -rf "$run/sqlite"
start sqlite 18340 "-XX:MaxRAM=512m"
memory "sqlite, serial collector" 18340
stop "$server_pid"
note "## Collectors, PostgreSQL, 1 replica: throughput ($devices devices, batch 50), then memory as above"
for gc in Serial G1 Parallel; do
  reset_postgres
  rm -rf "$run/pg1"
  start pg1 18341 "-XX:MaxRAM=512m -XX:+Use${gc}GC" "${postgres[@]}"
  load "postgresql, ${gc} collector" http://127.0.0.1:18341 --devices "$devices" --batch 50 \
    --events "$events" --warmup $((events / 2))
  memory "postgresql, ${gc} collector" 18341
  stop "$server_pid"
done

# --- 4: start to ready on an existing database, 5 times each way ---
note "## Start to ready (ms), SQLite database of the runs above, 5 starts each"
ready_ms() { # name port
  local t0 t1
  t0=$(date +%s%N)
  start "$1" "$2" ""
  t1=$(date +%s%N)
  stop "$server_pid"
  echo $(( (t1 - t0) / 1000000 ))
}
with="" without=""
for i in 1 2 3 4 5; do
  with="$with $(ready_ms sqlite 18340)"
  mv "$dist/aot" "$dist/aot.off"
  without="$without $(ready_ms sqlite 18340)"
  mv "$dist/aot.off" "$dist/aot"
done
note "with the AOT cache:$with"
note "without it:$without"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
  echo "<!-- generated by deploy/bench-deployment.sh on $(date -u +%Y-%m-%dT%H:%MZ) -->"
  echo "### Latest deployment run"
  echo
  echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/{print $2}') GiB, $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1);"
  echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') (defaults, fsync on), S3Proxy. Servers from the distribution with JAVA_OPTS=$server_opts."
  echo "Server(s), PostgreSQL, S3Proxy and the load generator share the machine."
  echo
  echo '```'
  cat "$out"
  echo '```'
} > docs/performance-deployment-latest.md
echo "written to docs/performance-deployment-latest.md"
