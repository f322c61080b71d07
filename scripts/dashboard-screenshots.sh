#!/usr/bin/env bash
# Screenshots of every HQ dashboard page into docs/screenshots/dashboard-*.png,
# taken in headless Chromium (tests/browser/screenshots.js) against a server
# filled by inbox_bench. Builds what it needs first.
#   scripts/dashboard-screenshots.sh [BUILD_DIR] [REPORTS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-${BUILD_DIR:-build}}
REPORTS=${2:-3000}
cmake --build "$BUILD_DIR" --target fieldsync-server fieldsync-cli inbox_bench
(cd tests/browser && { [ -f node_modules/playwright-core/package.json ] || npm ci --no-audit --no-fund --loglevel=error; })
node tests/browser/screenshots.js "$BUILD_DIR" docs/screenshots "$REPORTS"
