# Sourced by test.sh: the browser test (tests/e2e/playground.test.ts) drives a real headless
# Chromium through playwright-core, which downloads no browser of its own; this provides one.
# shellcheck shell=bash

# Sets and exports CHROMIUM_PATH: an already exported path that works, else chromium or
# chromium-browser on PATH, else Debian's `chromium` package installed with apt-get.
ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
    export CHROMIUM_PATH
    return 0
  fi
  local found
  found="$(command -v chromium || command -v chromium-browser || true)"
  if [ -z "$found" ]; then
    echo "chromium: installing chromium from Debian's packages (for the playground browser test)"
    local rc=0
    # Same policy as Redis in services.sh: non-interactive, sudo only when not already root.
    # env: sudo would drop DEBIAN_FRONTEND from the environment.
    chromium_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
    if [ "$rc" -eq 0 ]; then
      chromium_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || rc=$?
    fi
    if [ "$rc" -ne 0 ]; then echo "chromium: apt-get failed (exit $rc)" >&2; exit 1; fi
    found="$(command -v chromium || true)"
    if [ -z "$found" ]; then echo "chromium: installed, but no chromium on PATH" >&2; exit 1; fi
  fi
  export CHROMIUM_PATH="$found"
}

chromium_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
