#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as
# errors, runs every doctest suite through ctest, then each fuzzer briefly.
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh -DFIELDSYNC_WERROR=ON
ctest --test-dir build --output-on-failure -j2
if [ -x scripts/fuzz.sh ]; then
  FUZZ_SECONDS=${FUZZ_SECONDS:-15} scripts/fuzz.sh
fi
