#!/bin/sh
# Renews an ops client's access token for Prometheus every 5 minutes (tokens live 15 minutes by default).
# Needs OPS_CLIENT_SECRET and the load balancer at http://haproxy:8080.
set -eu
while :; do
  curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"grantType\":\"client_credentials\",\"clientId\":\"ops\",\"clientSecret\":\"$OPS_CLIENT_SECRET\"}" \
    http://haproxy:8080/v1/auth/token \
    | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' > /tokens/ops-token.new \
    && [ -s /tokens/ops-token.new ] && mv /tokens/ops-token.new /tokens/ops-token
  sleep 300
done
