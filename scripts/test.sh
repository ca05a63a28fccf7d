#!/usr/bin/env bash
# The one command that runs every check on a fresh machine: installs what is missing
# (Node packages, Chromium, Schemathesis in its own Python venv),
# starts Redis, FerretDB (on PostgreSQL) and a six-node Redis Cluster on loopback (leaving
# alone any already running), builds, lints, typechecks and runs the unit and end-to-end
# tests against the real services.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/chromium.sh"
cd "$REPO_ROOT"

prepare_toolchain
ensure_chromium
# The schema-fuzzing e2e test (tests/e2e/security/schema-fuzz.test.ts) runs this Schemathesis.
SCHEMATHESIS_BIN="$(bash scripts/schemathesis.sh)"
export SCHEMATHESIS_BIN

# Services this script starts, it stops again; ones that were already up stay up.
stop_services=0 stop_cluster=0
bash scripts/services.sh status >/dev/null 2>&1 || stop_services=1
bash scripts/services.sh cluster status >/dev/null 2>&1 || stop_cluster=1
cleanup() {
  if [ "$stop_cluster" -eq 1 ]; then bash scripts/services.sh cluster stop; fi
  if [ "$stop_services" -eq 1 ]; then bash scripts/services.sh stop; fi
}
trap cleanup EXIT
bash scripts/services.sh start
# tests/e2e/redis-cluster.test.ts runs the system on it (and fails, never skips, without it).
bash scripts/services.sh cluster start

export TEST_REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-6379}"
export TEST_MONGO_URL="mongodb://127.0.0.1:${MONGO_PORT:-27017}"
first=${REDIS_CLUSTER_FIRST_PORT:-7101}
TEST_REDIS_CLUSTER_URL="redis-cluster://$(seq -s, -f "127.0.0.1:%g" "$first" $((first + 5)))"
export TEST_REDIS_CLUSTER_URL

pnpm build
pnpm lint
pnpm typecheck
reports=.data/test-results
rm -rf "$reports" && mkdir -p "$reports"
json() { printf -- '--reporter=default --reporter=json --outputFile.json=%s/%s.json' "$reports" "$1"; }
status=0
# shellcheck disable=SC2046 # json prints three separate options
pnpm exec vitest run --project unit --project e2e $(json main) "$@" || status=$?
# Fault injection last, alone: it stops and restarts servers of its own (other ports).
# shellcheck disable=SC2046
if [ "$status" -eq 0 ]; then pnpm test:faults $(json faults) || status=$?; fi
node scripts/lib/test-summary.mjs "$reports"/*.json
exit "$status"
