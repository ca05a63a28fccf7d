# Sourced by run.sh and test.sh: make sure Node and the pinned pnpm are there, then install.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PNPM_VERSION="$(node -p "require('$REPO_ROOT/package.json').packageManager.split('@')[1]" 2>/dev/null || true)"

require_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "error: Node.js 20.19 or newer is required (node not found)" >&2
    exit 1
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "error: Node.js 20.19 or newer is required (found $(node -v))" >&2
    exit 1
  fi
}

ensure_pnpm() {
  if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    echo "installing pnpm $PNPM_VERSION"
    npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
  fi
}

install_dependencies() {
  (cd "$REPO_ROOT" && pnpm install --frozen-lockfile --reporter=silent)
}

prepare_toolchain() {
  require_node
  ensure_pnpm
  install_dependencies
}
