#!/usr/bin/env bash
# Create .venv and install the runtime requirements (and, with --dev, the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  python -m pip install --quiet -r requirements-dev.txt
else
  python -m pip install --quiet -r requirements.txt
fi
