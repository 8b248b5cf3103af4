#!/usr/bin/env bash
# The cluster, run here without containers: a real PostgreSQL (Debian's package), an S3 server (S3Proxy, from Maven
# Central), N podsync replicas from the distribution, HAProxy (Debian's package) in front with readiness checks, and
# Prometheus (Debian's package) scraping every replica. It runs the device simulator's fleet through the load balancer
# while killing (-9) and restarting one replica at a time, checks that Prometheus has data for every query of the
# Grafana dashboard, and ends with the fleet's verdict and a report.
#
#   deploy/cluster.sh [--short] [--replicas N] [--devices N] [--stops N] [--steps N] [--kill-every SECONDS]
#                     [--no-build] [--keep]
#
# --short is the CI version (2 replicas, a small fleet, a minute or two). Needs: apt-get install postgresql haproxy
# prometheus jq curl (.ci/run installs them). Everything listens on 127.0.0.1 only. Exit 0 only when the fleet's
# verdict passed, every killed replica came back ready, and every dashboard query returned data.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)

replicas=3 devices=12 stops=8 steps=120 kill_every=8 build=1 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --short) replicas=2 devices=6 stops=8 steps=120 kill_every=2; shift ;;
    --replicas) replicas=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --stops) stops=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --kill-every) kill_every=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
  esac
done

base=${CLUSTER_BASE_PORT:-18180}
lb_port=$base pg_port=$((base + 50)) s3_port=$((base + 51)) prom_port=$((base + 52)) erp_port=$((base + 53))
replica_port() { echo $((base + $1)); }

for tool in haproxy prometheus jq curl; do
  command -v "$tool" >/dev/null || { echo "cluster.sh needs $tool: apt-get install postgresql haproxy prometheus jq curl" >&2; exit 2; }
done
. ./.mvn/find-jdk.sh
. deploy/services.sh
[ -x "$pgbin/initdb" ] || { echo "cluster.sh needs PostgreSQL: apt-get install postgresql" >&2; exit 2; }
if [ "$build" = 1 ]; then
  ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
fi
sim_jar=device-simulator/target/podsync-simulator.jar
ls server/target/podsync-*.tar.gz >/dev/null 2>&1 && [ -f "$sim_jar" ] || { echo "build first (./mvnw package) or drop --no-build" >&2; exit 2; }

run=$(mktemp -d /tmp/podsync-cluster.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}" ${s3_pid:-} $(cat "$run"/replica-*/pid 2>/dev/null || true); do kill "$p" 2>/dev/null || true; done
  stop_postgres
  if [ "$keep" = 1 ]; then say "kept $run"; else rm -rf "$run"; fi
}
trap cleanup EXIT
start_postgres "$pg_port"
start_s3proxy "$s3_port"

# --- the replicas' configuration: one operator file for all (secrets in it: mode 600) ---
erp_secret=$(secret) ops_secret=$(secret) webhook="whsec_$(head -c 32 /dev/urandom | base64)"
kek=$(head -c 32 /dev/urandom | base64) # every replica seals and opens the signing keys with the same key
umask 077
cat > "$run/podsync.yaml" <<EOF
podsync:
  db:
    url: jdbc:postgresql://127.0.0.1:$pg_port/podsync
    user: postgres
    password: "$pg_password"
    pool-size: 16
    timeout: PT3S
  keys:
    encryption-key: "$kek"
  artifacts:
    store: s3
    s3:
      endpoint: http://127.0.0.1:$s3_port
      bucket: podsync-evidence
      access-key: $s3_key
      secret-key: "$s3_secret"
  auth:
    clients:
      - id: erp
        secret: "$erp_secret"
        scopes: [erp]
      - id: ops
        secret: "$ops_secret"
        scopes: [ops]
  public-url: http://127.0.0.1:$lb_port
  replicas:
    heartbeat-interval: PT1S
  erp:
    poll-interval: PT0.2S
    connect-timeout: PT1S
    retry-schedule: [PT0S, PT1S, PT2S, PT3S]
    max-attempts: 3
    endpoints:
      - name: erp
        url: http://127.0.0.1:$erp_port/webhooks/pod
        secrets: ["$webhook"]
        timeout: PT5S
      # An ERP that is down: its messages fail and die, so the dashboard's failure panels have data too.
      - name: erp-down
        url: http://127.0.0.1:9/webhooks/pod
        secrets: ["$webhook"]
        timeout: PT1S
EOF
umask 022

unpack_distribution

# Each replica: its own data directory and port, a heap as a 512 MiB pod would give it.
start_replica() {
  local i=$1 dir="$run/replica-$1"
  mkdir -p "$dir"
  (cd "$dir" && JAVA_OPTS="-Xmx256m" exec "$dist/bin/podsync" --config "$run/podsync.yaml" \
      -Dserver.port="$(replica_port "$i")" -Dserver.host=127.0.0.1 >> "$dir/server.log" 2>&1) &
  echo $! > "$dir/pid"
}
for i in $(seq 1 "$replicas"); do start_replica "$i"; done
for i in $(seq 1 "$replicas"); do await "replica $i" 120 ready "$(replica_port "$i")"; done
say "$replicas replicas ready on ports $(replica_port 1)-$(replica_port "$replicas")"

# --- HAProxy ---
{
  cat <<EOF
global
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch
    retry-on conn-failure empty-response
frontend podsync
    bind 127.0.0.1:$lb_port
    default_backend replicas
backend replicas
    balance roundrobin
    # Helidon answers HTTP/1.0 with 505: the check speaks HTTP/1.1.
    option httpchk
    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server inter 1s fall 1 rise 2
EOF
  for i in $(seq 1 "$replicas"); do echo "    server replica-$i 127.0.0.1:$(replica_port "$i") check"; done
} > "$run/haproxy.cfg"
haproxy -f "$run/haproxy.cfg" -db > "$run/haproxy.log" 2>&1 &
pids+=($!)
await "HAProxy" 30 ready "$lb_port"
say "HAProxy $(haproxy -v | head -n 1 | awk '{print $3}') on 127.0.0.1:$lb_port"

# --- Prometheus, with an ops token renewed every 5 minutes ---
token() {
  curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"grantType\":\"client_credentials\",\"clientId\":\"ops\",\"clientSecret\":\"$ops_secret\"}" \
    "http://127.0.0.1:$lb_port/v1/auth/token" | jq -r .accessToken > "$run/ops-token.new" \
    && mv "$run/ops-token.new" "$run/ops-token"
}
token
(while sleep 300; do token || true; done) &
pids+=($!)
{
  cat <<EOF
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: podsync
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: $run/ops-token
    static_configs:
      - targets:
EOF
  for i in $(seq 1 "$replicas"); do echo "          - 127.0.0.1:$(replica_port "$i")"; done
} > "$run/prometheus.yml"
prometheus --config.file="$run/prometheus.yml" --storage.tsdb.path="$run/prometheus" \
  --web.listen-address="127.0.0.1:$prom_port" > "$run/prometheus.log" 2>&1 &
pids+=($!)
await "Prometheus" 60 curl -fs "http://127.0.0.1:$prom_port/-/ready"
say "Prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') on 127.0.0.1:$prom_port"

# --- the fleet through the load balancer, and one replica at a time killed and restarted ---
say "fleet: $devices devices x $stops stops, $steps steps; a replica killed every ${kill_every}s"
(
  rc=0
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$sim_jar" fleet \
    --server "http://127.0.0.1:$lb_port" --erp-secret "$erp_secret" --ops-secret "$ops_secret" \
    --erp-receiver-port "$erp_port" --webhook-secret "$webhook" \
    --devices "$devices" --stops "$stops" --steps "$steps" --seed 22 --reorder --max-clock-skew-seconds 600 \
    --work-dir "$run/fleet" --report "$run/fleet.json" > "$run/fleet.log" 2>&1 || rc=$?
  echo "$rc" > "$run/fleet.rc"
) &
fleet=$!
pids+=($fleet)
running() { [ ! -f "$run/fleet.rc" ]; }
kills=0 failed_restarts=0 victim=0
: > "$run/kills.txt"
while running; do
  for _ in $(seq 1 $((kill_every * 5))); do running && sleep 0.2; done
  running || break
  victim=$(( victim % replicas + 1 ))
  pid=$(cat "$run/replica-$victim/pid")
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kills=$((kills + 1))
  t0=$(date +%s%N)
  start_replica "$victim"
  if await "replica $victim after kill -9" 120 ready "$(replica_port "$victim")"; then
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    say "killed replica $victim (-9), restarted, ready again in $ms ms"
    echo "$victim $ms" >> "$run/kills.txt"
  else
    failed_restarts=$((failed_restarts + 1))
  fi
done
wait "$fleet" || true
fleet_rc=$(cat "$run/fleet.rc")

# --- Prometheus has data for every query of the dashboard ---
sleep 5 # a last scrape or two of the final state
queries_ok=0 queries_empty=0
: > "$run/queries.txt"
while IFS= read -r expr; do
  n=$(curl -fsS "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$expr" | jq '.data.result | length')
  if [ "${n:-0}" -gt 0 ]; then queries_ok=$((queries_ok + 1)); mark=ok; else queries_empty=$((queries_empty + 1)); mark=EMPTY; fi
  printf '| %s | `%s` | %s |\n' "$mark" "$expr" "$n" >> "$run/queries.txt"
done < <(jq -r '.panels[].targets[].expr' deploy/grafana/dashboards/podsync.json)

# --- the report ---
verdict=PASSED
[ "$fleet_rc" = 0 ] && [ "$failed_restarts" = 0 ] && [ "$queries_empty" = 0 ] && [ "$kills" -gt 0 ] || verdict=FAILED
report="$run/cluster-report.md"
{
  echo "# Cluster run $(date -u +%Y-%m-%dT%H:%MZ): $verdict"
  echo
  echo "$replicas replicas of $(basename "$dist") on PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') and S3Proxy $s3proxy, behind HAProxy; Prometheus scraping each replica every 2 s."
  echo "Fleet: $devices devices x $stops stops, $steps steps, seed 22, through the load balancer (exit code $fleet_rc)."
  echo
  echo "Replicas killed with SIGKILL and restarted: $kills (restarts that did not come back ready: $failed_restarts)."
  if [ -s "$run/kills.txt" ]; then
    echo "Restart to ready (ms): $(awk '{print $2}' "$run/kills.txt" | paste -sd' ' -)."
  fi
  echo
  echo "Dashboard queries with data in Prometheus: $queries_ok of $((queries_ok + queries_empty))."
  echo
  echo "| data | query | series |"
  echo "|---|---|---|"
  cat "$run/queries.txt"
  echo
  echo '```'
  grep -Ev '^(enrolling|steps|settling) [0-9]+/' "$run/fleet.log" | tail -n 40
  echo '```'
} > "$report"
cat "$report"
[ -n "${CLUSTER_REPORT:-}" ] && cp "$report" "$CLUSTER_REPORT"
[ "$verdict" = PASSED ]
