#!/bin/sh
# A long run of the fuzz test: mutated push, pull, upload, release, ops and sign-in requests against a real server,
# asserting no 5xx, no stack trace, no second answer on a connection, and the control data unchanged afterwards.
#   deploy/fuzz.sh [requests] [seed]      defaults: 100000 requests, a random seed (printed, to replay a failure)
# CI runs the same test with 3,000 requests and a fixed seed as part of ./mvnw verify.
set -eu
cd "$(dirname "$0")/.."
requests=${1:-100000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "fuzzing with $requests requests, seed $seed (replay: deploy/fuzz.sh $requests $seed)"
./mvnw -q -B -pl server -am verify -Dspotless.check.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest=FuzzTest -Dpodsync.fuzz.requests="$requests" -Dpodsync.fuzz.seed="$seed"
echo "fuzz: $requests requests with seed $seed, no 5xx, no stack trace, no second answer, control data unchanged"
cat server/target/surefire-reports/io.podsync.server.FuzzTest.txt | tail -n 1
