#!/usr/bin/env bash
# Fuzzes what schema/ parses from outside (expressions, form definitions,
# report values, the project registry) with libFuzzer under ASan and UBSan.
# Builds only the fuzz targets and their libraries, with clang, in a separate
# build directory, runs each for FUZZ_SECONDS (default 15) seeded with the
# shipped forms, and exits non-zero when a target crashes, hangs or leaks;
# the input that did it is left in $BUILD_DIR/fuzz-artifacts/.
#   scripts/fuzz.sh                      # brief run (scripts/test.sh calls this)
#   FUZZ_SECONDS=600 scripts/fuzz.sh     # the long run
# The corpus grows across runs in $BUILD_DIR/fuzz-corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-15}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
TARGETS=(fuzz_expr fuzz_form)

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ is missing (scripts/setup.sh installs clang)" >&2
  exit 1
fi
mkdir -p "$BUILD_DIR"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFIELDSYNC_FUZZ=ON -DFIELDSYNC_GUI=OFF >"$BUILD_DIR/configure.log" 2>&1 || {
  cat "$BUILD_DIR/configure.log" >&2
  echo "fuzz: configuring $BUILD_DIR failed" >&2
  exit 1
}
# Only the fuzz targets: the rest of the tree is not needed here.
cmake --build "$BUILD_DIR" --target "${TARGETS[@]}" -j"$(nproc)"

mkdir -p "$BUILD_DIR/fuzz-artifacts"
passed=0
failed=0
for target in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/fuzz-corpus/$target"
  mkdir -p "$corpus"
  seeds=(fuzz/seeds/"${target#fuzz_}")
  [ "$target" = fuzz_form ] && seeds+=(schema/forms)
  log="$BUILD_DIR/fuzz-artifacts/$target.log"
  echo "fuzz: $target for ${FUZZ_SECONDS}s (log: $log)"
  # The first directory receives new inputs; the seed directories are only read.
  if "$BUILD_DIR/fuzz/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -max_len=16384 -dict="fuzz/$target.dict" -artifact_prefix="$BUILD_DIR/fuzz-artifacts/$target-" \
      -print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    echo "fuzz: $target ok (${runs:-?} inputs)"
    passed=$((passed + 1))
  else
    echo "fuzz: $target FAILED; the end of its log:" >&2
    tail -n 40 "$log" >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
