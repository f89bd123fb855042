#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  # the browser test drives Debian's Chromium (Playwright never downloads a browser here)
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null || echo "warning: chromium not installed; browser tests will skip"
  fi
fi
bash scripts/setup.sh --dev
. .venv/bin/activate
ruff check .
# one worker per core: most tests wait on TensorFlow start-up, a trainer subprocess or a browser, not on the CPU;
# the slowest tests are listed at the end
python -m pytest -n auto --dist worksteal --durations=15 "$@"
