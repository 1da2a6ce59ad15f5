#!/usr/bin/env bash
# Runs every test of BUILD_DIR's wlportal:
#   1. the unit tests (meson, suite "unit"; the store tests there use SQLite,
#      and those that have a PostgreSQL part run it on a database of their
#      own on the throw-away PostgreSQL below: WLPORTAL_TEST_PG),
#   2. the fuzz replay (scripts/fuzz.sh: the kept corpus, in seconds),
#   3. the integration tests (node:test) twice: on SQLite and on a throw-away
#      PostgreSQL (scripts/pg.sh) started once here and stopped on exit
#      whatever happened, each test env getting its own database on it
#      (WLPORTAL_TEST_PG, see tests/integration/lib.mjs); the two runs side
#      by side, two files at a time each, then the few files that measure
#      time or resources alone, one at a time (the list `alone` below),
#   4. with TSAN_DIR, the concurrency and two-instance tests again against
#      that ThreadSanitizer build (any race report fails them),
#   5. the browser tests,
#   and first of the node steps, the OpenAPI document (scripts/openapi_check.mjs:
#   valid OpenAPI 3.1, every route of src/http/routes.c documented and
#   nothing else); every integration test's api() answer is then checked
#   against it (tests/integration/openapi_check.mjs).
# Usage: scripts/test.sh BUILD_DIR [TSAN_DIR]   e.g. scripts/test.sh build-test build-tsan
# Exits non-zero if anything failed; the output of each integration run ends
# with node's summary.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [TSAN_DIR]" >&2
  exit 2
fi
tsan_dir=""
if [ $# -eq 2 ]; then tsan_dir=$(cd "$2" && pwd); fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "$1" && pwd)
cd "$root"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1

# slow_clients.test.mjs holds 10,000 connections (client and server side
# each): every process started from here may open as many files as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ ! -x "$build_dir/wlportal" ]; then
  echo "test.sh: $build_dir/wlportal not found (build it first)" >&2
  exit 1
fi

# The PostgreSQL server for the second integration run: started first (it
# takes a few seconds), stopped and removed on any exit.
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-testpg-XXXXXX")
stop_pg() {
  "$root/scripts/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_url=""
if pg_out=$("$root/scripts/pg.sh" start "$pg_dir" 2>&1); then
  pg_url=$(printf '%s\n' "$pg_out" | tail -n 1)
else
  printf '%s\n' "$pg_out" >&2
  echo "test.sh: PostgreSQL did not start; the PostgreSQL run is skipped (a failure)" >&2
fi

# took WHAT: how long WHAT took (since the last call), for the CI log.
step_from=$SECONDS
took() {
  echo "-- $1 took $((SECONDS - step_from)) s"
  step_from=$SECONDS
}

# The unit tests' PostgreSQL parts: a database of their own (they migrate it).
unit_pg=""
if [ -n "$pg_url" ] &&
  "${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -v ON_ERROR_STOP=1 -d "${pg_url%/*}/postgres" \
    -c "DROP DATABASE IF EXISTS wl_unit" -c "CREATE DATABASE wl_unit" >/dev/null; then
  unit_pg="${pg_url%/*}/wl_unit"
else
  echo "test.sh: no PostgreSQL database for the unit tests; their PostgreSQL parts are skipped (a failure)" >&2
fi
unit_rc=0
WLPORTAL_TEST_PG="$unit_pg" meson test -C "$build_dir" --suite unit --print-errorlogs || unit_rc=$?
[ -n "$unit_pg" ] || unit_rc=1
if [ "$unit_rc" -ne 0 ]; then
  echo "test.sh: unit tests failed (exit $unit_rc); running the other tests anyway" >&2
fi

fuzz_rc=0
took "PostgreSQL start and the unit tests"
"$root/scripts/fuzz.sh" || fuzz_rc=$?
took "the fuzz replay"
if [ "$fuzz_rc" -ne 0 ]; then
  echo "test.sh: fuzz replay failed (exit $fuzz_rc); running the other tests anyway" >&2
fi

export WLPORTAL_BIN="$build_dir/wlportal"

# The node packages: playwright-core for the browser tests, stripe,
# whose webhook helper signs the fake Stripe's events in the integration tests,
# and the OpenAPI validator and ajv for the document and the answers.
if [ ! -d "$root/node_modules/playwright-core" ] || [ ! -d "$root/node_modules/stripe" ] ||
   [ ! -d "$root/node_modules/@readme/openapi-parser" ] || [ ! -d "$root/node_modules/ajv-formats" ]; then
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== OpenAPI document =="
openapi_rc=0
node scripts/openapi_check.mjs || openapi_rc=$?
took "the OpenAPI check"

# The integration files run in two phases. First the SQLite run and the
# PostgreSQL run side by side, each two files at a time (each file starts its
# own servers on ports of its own, in temp dirs and databases of its own;
# most of their time is spent waiting on timers and answers, not on the
# CPU). Then, alone and one at a time, the files that measure time or
# resources and must not share the machine (latencies under 100 ms, token
# buckets refilling at their rate, resident memory, 10,000 connections).
alone=(slow_clients slow_reads webhooks_sync idle_memory rate_limits login_limits)
for name in "${alone[@]}"; do
  [ -f "tests/integration/$name.test.mjs" ] || { echo "test.sh: no tests/integration/$name.test.mjs (the alone list)" >&2; exit 2; }
done
shared_files=()
alone_files=()
for f in tests/integration/*.test.mjs; do
  name=$(basename "$f" .test.mjs)
  if [[ " ${alone[*]} " == *" $name "* ]]; then alone_files+=("$f"); else shared_files+=("$f"); fi
done
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-testlogs-XXXXXX")
# on any exit: our background runs too
trap 'kill $(jobs -p) 2>/dev/null || true; stop_pg; rm -rf "$log_dir"' EXIT

# run_integration sqlite|pg CONCURRENCY FILE...: one node --test run on that
# database (two_instances.test.mjs is about PostgreSQL only: on SQLite it
# skips, and runs in the PostgreSQL pass).
run_integration() {
  local db=$1 conc=$2
  shift 2
  if [ "$db" = sqlite ]; then
    env -u WLPORTAL_TEST_PG WLPORTAL_TEST_PG_LATER=1 node --test --test-concurrency="$conc" "$@"
  else
    env -u WLPORTAL_TEST_PG_LATER WLPORTAL_TEST_PG="$pg_url" node --test --test-concurrency="$conc" "$@"
  fi
}

sqlite_rc=0
pg_rc=0
[ -n "$pg_url" ] || pg_rc=1
echo "== integration tests on SQLite and on PostgreSQL ${pg_url:+($pg_url) }side by side (${#shared_files[@]} files each) =="
run_integration sqlite 2 "${shared_files[@]}" >"$log_dir/sqlite.log" 2>&1 &
sqlite_pid=$!
if [ -n "$pg_url" ]; then
  run_integration pg 2 "${shared_files[@]}" >"$log_dir/pg.log" 2>&1 &
  pg_pid=$!
fi
wait "$sqlite_pid" || sqlite_rc=$?
if [ -n "$pg_url" ]; then wait "$pg_pid" || pg_rc=$?; fi
took "the integration tests side by side"
echo "== integration tests on SQLite (side by side with PostgreSQL) =="
cat "$log_dir/sqlite.log"
if [ -n "$pg_url" ]; then
  echo "== integration tests on PostgreSQL (side by side with SQLite) =="
  cat "$log_dir/pg.log"
fi

echo "== integration tests that run alone, on SQLite: ${alone[*]} =="
run_integration sqlite 1 "${alone_files[@]}" || sqlite_rc=$?
took "the integration tests alone on SQLite"
if [ -n "$pg_url" ]; then
  echo "== integration tests that run alone, on PostgreSQL: ${alone[*]} =="
  run_integration pg 1 "${alone_files[@]}" || pg_rc=$?
  took "the integration tests alone on PostgreSQL"
fi

tsan_rc=0
if [ -n "$tsan_dir" ]; then
  echo "== concurrency under ThreadSanitizer =="
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  WLPORTAL_BIN="$tsan_dir/wlportal" env -u WLPORTAL_TEST_PG WLPORTAL_TEST_PG_LATER=1 \
    node --test --test-concurrency=1 tests/integration/concurrency.test.mjs || tsan_rc=$?
  if [ -n "$pg_url" ]; then
    WLPORTAL_BIN="$tsan_dir/wlportal" env -u WLPORTAL_TEST_PG_LATER WLPORTAL_TEST_PG="$pg_url" \
      node --test --test-concurrency=1 tests/integration/concurrency.test.mjs \
      tests/integration/two_instances.test.mjs || tsan_rc=$?
  fi
  took "the ThreadSanitizer runs"
fi

echo "== browser tests (headless chromium) =="
e2e_rc=0
node --test --test-concurrency=1 tests/e2e/*.test.mjs || e2e_rc=$?
took "the browser tests"

if [ "$openapi_rc" -ne 0 ] || [ "$unit_rc" -ne 0 ] || [ "$fuzz_rc" -ne 0 ] || [ "$sqlite_rc" -ne 0 ] || [ "$pg_rc" -ne 0 ] ||
   [ "$e2e_rc" -ne 0 ] || [ "$tsan_rc" -ne 0 ]; then
  exit 1
fi
exit 0
