#!/usr/bin/env bash
# Runs the unit tests (meson, suite "unit") and then the integration tests
# (node:test against the wlportal binary of BUILD_DIR, one file at a time).
# Usage: scripts/test.sh BUILD_DIR      e.g. scripts/test.sh build-test
# Exits non-zero if anything failed; the output ends with node's summary.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "$1" && pwd)
cd "$root"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ ! -x "$build_dir/wlportal" ]; then
  echo "test.sh: $build_dir/wlportal not found (build it first)" >&2
  exit 1
fi

unit_rc=0
meson test -C "$build_dir" --suite unit --print-errorlogs || unit_rc=$?
if [ "$unit_rc" -ne 0 ]; then
  echo "test.sh: unit tests failed (exit $unit_rc); running the integration tests anyway" >&2
fi

it_rc=0
WLPORTAL_BIN="$build_dir/wlportal" node --test --test-concurrency=1 tests/integration/*.test.mjs || it_rc=$?

if [ "$unit_rc" -ne 0 ] || [ "$it_rc" -ne 0 ]; then
  exit 1
fi
exit 0
