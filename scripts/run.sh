#!/usr/bin/env bash
# The one command that runs the whole system on this machine: Redis and FerretDB, a build,
# the API and one worker. Without REPLICATE_API_TOKEN (in the environment or .env) it also
# starts the local model stand-in and points the worker at it. Ctrl-C stops everything
# this script started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
cd "$REPO_ROOT"

prepare_toolchain
bash scripts/services.sh start
pnpm build

if [ -f .env ]; then
  set -a
  # shellcheck disable=SC1091
  source .env
  set +a
fi

# Access tokens need a signing key shared by API processes; keep a generated one across runs.
if [ -z "${JWT_SECRET:-}" ]; then
  if [ ! -s .data/jwt-secret ]; then
    mkdir -p .data
    (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(48).toString('base64url'))" > .data/jwt-secret)
  fi
  JWT_SECRET="$(cat .data/jwt-secret)"
  export JWT_SECRET
fi

# The local server is FerretDB on PostgreSQL: a small driver pool keeps every client's
# connections together below FerretDB's own pool (see .env.example). A MONGO_URL you set is kept as is.
export MONGO_URL="${MONGO_URL:-mongodb://127.0.0.1:${MONGO_PORT:-27017}/llm-chat?maxPoolSize=8}"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ -z "${REPLICATE_API_TOKEN:-}" ]; then
  stand_in_port="${STAND_IN_PORT:-5055}"
  STAND_IN_PORT="$stand_in_port" node packages/testkit/dist/bin/replicate-stand-in.js &
  pids+=($!)
  export REPLICATE_API_TOKEN="stand-in"
  export REPLICATE_BASE_URL="http://127.0.0.1:${stand_in_port}/v1"
  cat <<NOTE

  *** No REPLICATE_API_TOKEN set: answers come from the local model stand-in at
  *** ${REPLICATE_BASE_URL} (it replies "You said: ..."), not from a real model.
  *** Put REPLICATE_API_TOKEN=r8_... in .env to use Llama 2 and Mistral on Replicate.

NOTE
else
  echo "using Replicate at ${REPLICATE_BASE_URL:-https://api.replicate.com/v1}"
fi

export NODE_ENV="${NODE_ENV:-development}"
node apps/api/dist/index.js &
pids+=($!)
node apps/worker/dist/index.js &
pids+=($!)

echo "API on http://${API_HOST:-127.0.0.1}:${API_PORT:-3000} (Ctrl-C stops it all; 'bash scripts/services.sh stop' stops Redis and FerretDB)"
# Stop everything as soon as any one of them exits.
wait -n "${pids[@]}"
