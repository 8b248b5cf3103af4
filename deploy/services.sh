# Sourced by cluster.sh and bench-deployment.sh: a PostgreSQL (Debian's package) and an S3 server (S3Proxy from Maven
# Central) of their own on 127.0.0.1, in a run directory, and small helpers. Needs $run set and JAVA_HOME found.

say() { echo "[$(date +%H:%M:%S)] $*"; }
secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
# PostgreSQL refuses to run as root; the Debian package's postgres user runs it then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
await() { # what, seconds, command...
  local what=$1 limit=$2; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { say "timed out waiting for $what"; return 1; }
    sleep 0.2
  done
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health/ready")" = 200 ]; }

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

# start_postgres PORT: a new cluster in $run/pg with a database podsync; sets pg_password.
start_postgres() {
  [ -x "$pgbin/initdb" ] || { echo "needs PostgreSQL: apt-get install postgresql" >&2; return 2; }
  pg_password=$(secret)
  chmod 755 "$run" # PostgreSQL runs as its own user and must reach its directory
  mkdir -p "$run/pg" "$run/pgsock"
  [ "$(id -u)" = 0 ] && chown postgres "$run/pg" "$run/pgsock"
  printf '%s\n' "$pg_password" > "$run/pgpass" && chmod 644 "$run/pgpass"
  as_pg "$pgbin/initdb" -D "$run/pg" -U postgres --auth=scram-sha-256 --pwfile="$run/pgpass" >/dev/null
  rm -f "$run/pgpass"
  as_pg "$pgbin/pg_ctl" -D "$run/pg" -l "$run/pg/server.log" -w \
    -o "-p $1 -k $run/pgsock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  PGPASSWORD=$pg_password psql -q -h 127.0.0.1 -p "$1" -U postgres -c 'CREATE DATABASE podsync'
  say "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$1"
}
stop_postgres() { as_pg "$pgbin/pg_ctl" -D "$run/pg" -m fast stop >/dev/null 2>&1 || true; }

# start_s3proxy PORT: S3Proxy on the file system in $run/s3, signed requests; sets s3_key, s3_secret, s3_pid.
start_s3proxy() {
  s3proxy=$(sed -n 's:.*<version.s3proxy>\(.*\)</version.s3proxy>.*:\1:p' pom.xml)
  ./mvnw -q -B dependency:copy -N -Dartifact="org.gaul:s3proxy:$s3proxy:jar:jar-with-dependencies" \
    -DoutputDirectory="$run/tools"
  s3_key=podsync s3_secret=$(secret)
  mkdir -p "$run/s3"
  cat > "$run/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$1
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3_key
s3proxy.credential=$s3_secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$run/s3
CONF
  "$JAVA_HOME/bin/java" -jar "$run/tools/s3proxy-$s3proxy-jar-with-dependencies.jar" --properties "$run/s3proxy.conf" \
    > "$run/s3.log" 2>&1 &
  s3_pid=$!
  await "S3Proxy" 60 curl -s -o /dev/null "http://127.0.0.1:$1/"
  say "S3Proxy $s3proxy on 127.0.0.1:$1"
}

# unpack_distribution: the distribution in $run/dist, its AOT cache trained; sets dist.
unpack_distribution() {
  local tarball
  tarball=$(ls server/target/podsync-*.tar.gz | head -n 1)
  mkdir -p "$run/dist"
  tar -xzf "$tarball" -C "$run/dist"
  dist=$(ls -d "$run"/dist/podsync-*)
  say "training the ahead-of-time cache of $(basename "$dist")"
  (cd "$run" && "$dist/bin/podsync" train > "$run/train.log" 2>&1)
}
