#!/usr/bin/env bash
# tests/browser/run.sh BUILD_DIR — the dashboard's browser test, as ctest runs
# it: installs playwright-core from the committed lock file when node_modules
# is missing (a clean clone), then drives Debian's chromium headless.
set -euo pipefail
cd "$(dirname "$0")"
BUILD_DIR=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
if [ ! -f node_modules/playwright-core/package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node dashboard_test.js "$BUILD_DIR"
