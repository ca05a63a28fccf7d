#!/usr/bin/env bash
# Installs the pinned Schemathesis (scripts/lib/schemathesis-requirements.txt) into its own
# virtual environment, .data/schemathesis-venv, for the schema-fuzzing e2e test; a venv that
# already has exactly these pins is left alone. Prints the path of its `st` command.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.data/schemathesis-venv"
REQUIREMENTS="$REPO_ROOT/scripts/lib/schemathesis-requirements.txt"
STAMP="$VENV/.requirements"

if ! command -v python3 >/dev/null 2>&1; then
  echo "error: python3 (3.10 or newer) is required for the schema-fuzzing test" >&2
  exit 1
fi
if ! cmp -s "$REQUIREMENTS" "$STAMP" 2>/dev/null || [ ! -x "$VENV/bin/st" ]; then
  echo "installing Schemathesis into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --disable-pip-version-check --no-input --quiet -r "$REQUIREMENTS" >&2
  cp "$REQUIREMENTS" "$STAMP"
fi
echo "$VENV/bin/st"
