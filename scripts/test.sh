#!/usr/bin/env bash
# The one command that runs every check on a fresh machine: installs what is missing,
# starts Redis and FerretDB on loopback (leaving alone any already running), builds,
# lints, typechecks and runs the unit and end-to-end tests against the real services.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/chromium.sh"
cd "$REPO_ROOT"

prepare_toolchain
ensure_chromium

# Services this script starts, it stops again; ones that were already up stay up.
if ! bash scripts/services.sh status >/dev/null 2>&1; then
  trap 'bash scripts/services.sh stop' EXIT
fi
bash scripts/services.sh start

export TEST_REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-6379}"
export TEST_MONGO_URL="mongodb://127.0.0.1:${MONGO_PORT:-27017}"

pnpm build
pnpm lint
pnpm typecheck
pnpm exec vitest run --project unit --project e2e "$@"
# Fault injection last, alone: it stops and restarts servers of its own (other ports).
pnpm test:faults
