#!/usr/bin/env bash
# Benchmarks a release build of wlportal on loopback, everything in one run,
# and prints each target of issue 10 as a ratio against its reference:
#   nginx (Debian nginx-light, started here with a temp config and prefix)
#     serving the JSON of GET /api/v1/account as a static file;
#   pgbench -i, then pgbench -N -c16 -j2 against the same throw-away
#     PostgreSQL that wlportal's PostgreSQL cases use (scripts/pg.sh);
#   wlportal on SQLite and on that PostgreSQL, same cases: GET /healthz,
#     GET /api/v1/account, engine events (durable ledger debits);
#   /healthz while two year-long CSV exports stream a big history (SQLite);
#   the server's resident memory idle and with 10,000 idle keep-alive
#     connections (tests/bench/idle_conns.mjs);
#   the events again on a measurement copy built with tests/bench/ceiling.patch,
#     skipping the ledger, then the writer's storage (see bench_ceiling);
#   then scripts/bench_history.sh BUILD_DIR when it is there (reads at a big
#     history against a small one), whose `ratio …` lines are forwarded.
# Usage: scripts/bench.sh BUILD_DIR        (make bench passes the release build)
# Env:   BENCH_DURATION (default 10s) per wrk/pgbench case, BENCH_CONNECTIONS (64),
#        BENCH_THREADS (2), BENCH_CALLS (200) calls the debits go round,
#        BENCH_SCAN_CALLS (1000000) usage rows under the exports,
#        BENCH_IDLE_CONNS (10000), BENCH_PG=0 to skip PostgreSQL and pgbench,
#        BENCH_CEILING=0 to skip the measurement copy
# Prints a Markdown table, then one line per target:
#   ratio <name> = <value> (target <op> <value>)
# and `wlportal audit` of each database after its server stopped (stderr).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "$1" && pwd)
bin="$build_dir/wlportal"
[ -x "$bin" ] || { echo "bench.sh: $bin not found (build it first)" >&2; exit 1; }
for tool in wrk curl node nginx sqlite3 patch meson ninja; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is not installed (scripts/deps.sh bench)" >&2; exit 1; }
done
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

duration=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
ncalls=${BENCH_CALLS:-200}
scan_calls=${BENCH_SCAN_CALLS:-1000000}
idle_conns=${BENCH_IDLE_CONNS:-10000}
secs=${duration%s}
[[ $secs =~ ^[0-9]+$ ]] || { echo "bench.sh: BENCH_DURATION must be whole seconds (10s)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-bench.XXXXXX")
server_pid=""
nginx_pid=""

# stop_pid PID: TERM, up to 10 s, then KILL.
stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "bench.sh: process $pid did not stop in 10 s, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}
stop_server() { stop_pid "$server_pid"; server_pid=""; }
stop_nginx() { stop_pid "$nginx_pid"; nginx_pid=""; }
cleanup() {
  stop_server
  stop_nginx
  if [ -n "${pg_dir:-}" ]; then
    "$root/scripts/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$tmp" "${nginx_dir:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

json_field() { # json_field FIELD <<< JSON  -> the string value of "FIELD"
  local text re
  text=$(cat)
  re="\"$1\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
  [[ $text =~ $re ]] || { echo "bench.sh: no \"$1\" in: $text" >&2; return 1; }
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# Idle keep-alive connections need descriptors: the server raises its own
# soft limit to the hard one; node (the clients) inherits this shell's.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt $((idle_conns + 1000)) ]; then
  ulimit -n $((idle_conns + 1000))
else
  ulimit -n "$hard"
fi

token="bench_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
export WLPORTAL_ENGINE_TOKEN="$token"
export WLPORTAL_MASTER_KEY_FILE="$tmp/master.key"
export WLPORTAL_BASE_DOMAIN=localhost
# one key and one address measure throughput: no rate limit in the way
export WLPORTAL_API_RATE=1000000 WLPORTAL_API_BURST=10000000
export WLPORTAL_API_ADDR_RATE=1000000 WLPORTAL_API_ADDR_BURST=10000000
unset WLPORTAL_DB WLPORTAL_LISTEN

declare -A RPS P99 FIG
cases=("GET /healthz" "GET /api/v1/account" "POST engine events (ledger debit)")
failed=0

# settle: what earlier cases left for the disk is written before the next
# measurement starts, not during it (a case's fsyncs would wait behind it).
settle() { sync; }

# run_wrk KEY wrk-args...  -> RPS/P99 for KEY
run_wrk() {
  local key=$1 out bad errs
  shift
  settle
  out=$(timeout $((secs + 60)) wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@" 2>&1) || {
    echo "bench.sh: wrk failed for $key:" >&2
    echo "$out" >&2
    RPS[$key]=error; P99[$key]=error; failed=1
    return 0
  }
  RPS[$key]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  P99[$key]=$(awk '$1 == "99%" {print $2; exit}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  errs=$(awk '/Socket errors:/ {print}' <<<"$out")
  [ -n "$errs" ] && echo "bench.sh: $key: $errs" >&2
  if [ -n "$bad" ] && [ "$bad" != "0" ]; then
    echo "bench.sh: $key: $bad non-2xx responses" >&2
    failed=1
  fi
}

# start_server DB LOGNAME: serve DB on a free port; sets server_pid, url, port.
start_server() {
  local db=$1 log="$tmp/server-$2.log" ready=0
  port=$(free_port)
  url="http://127.0.0.1:$port"
  "$bin" serve --listen "127.0.0.1:$port" --db "$db" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$ready" -ne 1 ]; then
    echo "bench.sh: server did not become healthy; log:" >&2
    tail -n 50 "$log" >&2
    exit 1
  fi
}

# ---- nginx: the account JSON as a static file ----------------------------------

# bench_nginx JSON_FILE: nginx with its own prefix, config, logs and temp
# paths (nothing under /etc, /var or /run), one worker per core, keep-alive
# without a request limit (as wlportal), access log off.
bench_nginx() {
  local json=$1 nport
  nginx_dir=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-nginx.XXXXXX")
  chmod 755 "$nginx_dir" # workers may run as another user (root starts them)
  mkdir -p "$nginx_dir/html/api/v1" "$nginx_dir/temp"
  cp "$json" "$nginx_dir/html/api/v1/account"
  chmod -R a+rX "$nginx_dir/html"
  nport=$(free_port)
  cat >"$nginx_dir/nginx.conf" <<EOF
worker_processes auto;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $nginx_dir/temp/body;
  proxy_temp_path $nginx_dir/temp/proxy;
  fastcgi_temp_path $nginx_dir/temp/fastcgi;
  uwsgi_temp_path $nginx_dir/temp/uwsgi;
  scgi_temp_path $nginx_dir/temp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$nport;
    root $nginx_dir/html;
    location = /api/v1/account { default_type application/json; }
  }
}
EOF
  nginx -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/error.log" -g 'daemon off;' &
  nginx_pid=$!
  local ready=0
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$nport/api/v1/account" 2>/dev/null; then ready=1; break; fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$ready" -ne 1 ]; then
    echo "bench.sh: nginx did not start; its log:" >&2
    cat "$nginx_dir/error.log" >&2 || true
    failed=1
    return 0
  fi
  cmp -s "$json" <(curl -fsS "http://127.0.0.1:$nport/api/v1/account") \
    || { echo "bench.sh: nginx does not serve the account JSON" >&2; failed=1; }
  echo "nginx bench: $(nginx -v 2>&1), port $nport, wrk -t$threads -c$conns -d$duration" >&2
  run_wrk "nginx|account" "http://127.0.0.1:$nport/api/v1/account"
  stop_nginx
}

# ---- pgbench on wlportal's PostgreSQL ---------------------------------------------

# bench_pgbench PG_URL: its own database "pgbench" on the same server;
# pgbench -i (scale 1), then -N (no branch/teller updates) with 16 clients.
bench_pgbench() {
  local pg=$1 hostport host pgport out
  hostport=${pg#postgres://*@}
  hostport=${hostport%%/*}
  host=${hostport%:*}
  pgport=${hostport##*:}
  "$PGBIN/psql" -X -q -h "$host" -p "$pgport" -U postgres -d postgres \
    -c 'CREATE DATABASE pgbench' >/dev/null
  "$PGBIN/pgbench" -i -q -h "$host" -p "$pgport" -U postgres pgbench >"$tmp/pgbench-init.log" 2>&1 \
    || { cat "$tmp/pgbench-init.log" >&2; failed=1; return 0; }
  echo "pgbench: -N -c16 -j2 -T$secs on $host:$pgport" >&2
  settle
  out=$("$PGBIN/pgbench" -N -c16 -j2 -T"$secs" -h "$host" -p "$pgport" -U postgres pgbench 2>&1) \
    || { echo "$out" >&2; failed=1; return 0; }
  FIG[pgbench_tps]=$(awk '/^tps = / {print $3; exit}' <<<"$out")
  FIG[pgbench_latency]=$(awk '/^latency average = / {print $4 " " $5; exit}' <<<"$out")
}

# ---- wlportal, one database ---------------------------------------------------

# setup_orgs DB: an agency and its client with credits; sets child, child_key.
setup_orgs() {
  local db=$1 agency_json agency child_json
  "$bin" migrate --db "$db" >/dev/null
  agency_json=$("$bin" admin create-org --name "Bench Agency" --email "agency@bench.test" \
    --password "bench-agency-password" --minutes 100000000 --db "$db")
  agency=$(json_field org_id <<<"$agency_json")
  child_json=$("$bin" admin create-org --name "Bench Client" --email "client@bench.test" \
    --password "bench-client-password" --parent "$agency" --minutes 10000000 --db "$db")
  child=$(json_field org_id <<<"$child_json")
  child_key=$(json_field api_key <<<"$child_json")
}

# make_calls: $ncalls calls of the child org, created through the engine's
# inbound API of the server at $url, their ids in $tmp/calls.txt. Each debit
# moves the child's credits and the agency's minutes.
make_calls() {
  local resp
  : >"$tmp/calls.txt"
  for _ in $(seq 1 "$ncalls"); do
    resp=$(curl -sS --max-time 5 -X POST "$url/engine/v1/calls/inbound" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data "{\"org_id\":\"$child\",\"from\":\"+4915112345678\",\"to\":\"+31201234567\"}")
    json_field call_id <<<"$resp" >>"$tmp/calls.txt"
  done
}

# bench_backend NAME DB: the three cases against one database.
bench_backend() {
  local backend=$1 db=$2
  start_server "$db" "$backend"
  echo "wlportal bench: $bin, $backend, $url, wrk -t$threads -c$conns -d$duration" >&2
  if [ "$backend" = sqlite ]; then
    curl -fsS "$url/api/v1/account" -H "Authorization: Bearer $child_key" >"$tmp/account.json"
  fi

  make_calls
  run_wrk "$backend|${cases[0]}" "$url/healthz"
  run_wrk "$backend|${cases[1]}" -s "$root/tests/bench/account.lua" "$url/api/v1/account" -- "$child_key"
  run_wrk "$backend|${cases[2]}" -s "$root/tests/bench/events.lua" "$url" -- "$tmp/calls.txt" "$token" "$threads"
  stop_server
  tail -n 1 "$tmp/server-$backend.log" >&2

  local audit_out audit_rc=0
  audit_out=$("$bin" audit --db "$db" 2>&1) || audit_rc=$?
  echo "audit ($backend): $audit_out" >&2
  [ "$audit_rc" -eq 0 ] || failed=1
}

# ---- /healthz while year-long CSV exports stream (SQLite) ---------------------------

# bench_scans SQLITE_FILE: a copy of the bench database with scan_calls
# ended calls of the client over the last year (wlportal admin seed-usage
# when the binary has it, which writes the daily totals as the server does;
# else straight SQL: calls and usage rows, then the daily totals recomputed
# from the rows), served while two year-long GET /api/v1/usage.csv stream
# every row and /healthz is timed. (The year-long summary reads the daily
# totals: it no longer does work that grows with history; an export does.)
bench_scans() {
  local src=$1 copy="$tmp/scan.db" now step out
  sqlite3 "$src" ".backup '$copy'"
  if "$bin" admin seed-usage --help >/dev/null 2>&1; then
    FIG[scan_seed]="wlportal admin seed-usage --calls $scan_calls --days 365"
    "$bin" admin seed-usage --org "$child" --calls "$scan_calls" --days 365 --db "sqlite:$copy" >/dev/null
  else
    FIG[scan_seed]="SQL: $scan_calls ended calls and usage rows over 365 days, daily totals rebuilt"
    now=$(( $(date +%s) * 1000 - 3600000 ))
    step=$(( 365 * 86400000 / scan_calls ))
    sqlite3 "$copy" <<EOF
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $scan_calls)
INSERT INTO calls (id, org_id, billed_org_id, direction, status, to_number, elapsed_sec,
    billed_seconds, cut_off, created_at, ended_at, last_event_at)
  SELECT 'bench-call-' || i, '$child', '$child', 'inbound', 'ended', '+31201234567', 90, 90, 0,
    $now - i * $step, $now - i * $step + 90000, $now - i * $step + 90000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $scan_calls)
INSERT INTO usage (id, org_id, billed_org_id, call_id, duration_sec, created_at)
  SELECT 'bench-usage-' || i, '$child', '$child', 'bench-call-' || i, 90, $now - i * $step FROM n;
DELETE FROM usage_days;
INSERT INTO usage_days (org_id, by_billed, day, seconds, calls)
  SELECT org_id, 0, created_at / 86400000, SUM(duration_sec), COUNT(*) FROM usage
  GROUP BY org_id, created_at / 86400000;
INSERT INTO usage_days (org_id, by_billed, day, seconds, calls)
  SELECT billed_org_id, 1, created_at / 86400000, SUM(duration_sec), COUNT(*) FROM usage
  GROUP BY billed_org_id, created_at / 86400000;
COMMIT;
EOF
  fi
  start_server "sqlite:$copy" scans
  out=$(node "$root/tests/bench/scan_latency.mjs" "$port" "$child_key" \
    "$(date -u -d '365 days ago' +%F)" "$(date -u +%F)" 2 "$scan_calls") || { echo "$out" >&2; failed=1; }
  stop_server
  FIG[scan_ms]=$(awk '$1 == "scan_ms" {print $2}' <<<"$out")
  FIG[scan_rows]=$(awk '$1 == "scan_rows" {print $2}' <<<"$out")
  FIG[scan_probes]=$(awk '$1 == "probes" {print $2}' <<<"$out")
  FIG[scan_p50]=$(awk '$1 == "healthz_p50_ms" {print $2}' <<<"$out")
  FIG[scan_p99]=$(awk '$1 == "healthz_p99_ms" {print $2}' <<<"$out")
  FIG[scan_max]=$(awk '$1 == "healthz_max_ms" {print $2}' <<<"$out")
  rm -f "$copy" "$copy-wal" "$copy-shm"
}

# ---- memory: idle, and with idle keep-alive connections -----------------------------

bench_memory() {
  local db=$1 out
  start_server "$db" memory
  out=$(node "$root/tests/bench/idle_conns.mjs" "$port" "$server_pid" "$idle_conns") \
    || { echo "$out" >&2; failed=1; }
  stop_server
  FIG[rss_idle_kb]=$(awk '$1 == "rss_idle_kb" {print $2}' <<<"$out")
  FIG[rss_held_kb]=$(awk '$1 == "rss_held_kb" {print $2}' <<<"$out")
  FIG[held]=$(awk '$1 == "held" {print $2}' <<<"$out")
}

# ---- the same events without the ledger: what the path costs before storage ----------

# bench_ceiling: a copy of the source with tests/bench/ceiling.patch (a
# measurement build, never shipped: WLPORTAL_BENCH_CEILING makes an engine
# event skip part of its path; every other request is untouched) is built
# under the bench's temp directory, and the events case runs on it three
# times, each skipping less:
#   answer  answered on the server thread: nothing queued, no suspension;
#   resume  suspended, then resumed at once by the server thread itself;
#   writer  handed to the writer, which resumes it without storing anything.
# Read against the same run's /healthz and durable debits, they show what
# the HTTP request, the suspension and the hand-off cost before any storage.
bench_ceiling() {
  local src="$tmp/ceiling-src" cbuild="$tmp/ceiling-build" mode
  local keep_bin=$bin keep_child=$child keep_key=$child_key
  mkdir -p "$src"
  if ! tar -C "$root" --exclude=./.git --exclude='./build*' --exclude=./node_modules \
    --exclude=./data --exclude=./tests/e2e/artifacts -cf - . | tar -C "$src" -xf -; then
    echo "bench.sh: cannot copy the source for the measurement copy" >&2
    failed=1
    return 0
  fi
  if ! patch -s -p1 -d "$src" <"$root/tests/bench/ceiling.patch" >"$tmp/ceiling.log" 2>&1; then
    echo "bench.sh: tests/bench/ceiling.patch does not apply to this tree:" >&2
    cat "$tmp/ceiling.log" >&2
    failed=1
    return 0
  fi
  echo "ceiling bench: building the measurement copy (tests/bench/ceiling.patch)" >&2
  if ! { meson setup "$cbuild" "$src" --buildtype=debugoptimized ${MESON_OPTS:-} && ninja -C "$cbuild" wlportal; } \
    >"$tmp/ceiling.log" 2>&1; then
    echo "bench.sh: the measurement copy does not build:" >&2
    tail -n 30 "$tmp/ceiling.log" >&2
    failed=1
    return 0
  fi
  bin="$cbuild/wlportal"
  setup_orgs "sqlite:$tmp/ceiling.db"
  for mode in answer resume writer; do
    export WLPORTAL_BENCH_CEILING=$mode
    start_server "sqlite:$tmp/ceiling.db" "ceiling-$mode"
    unset WLPORTAL_BENCH_CEILING
    make_calls
    run_wrk "ceiling|$mode" -s "$root/tests/bench/events.lua" "$url" -- "$tmp/calls.txt" "$token" "$threads"
    stop_server
  done
  bin=$keep_bin child=$keep_child child_key=$keep_key
  rm -rf "$src" "$cbuild"
}

# ---- the run ------------------------------------------------------------------

setup_orgs "sqlite:$tmp/wl.db"
bench_memory "sqlite:$tmp/wl.db" # first: the server's memory before any load
backends=(sqlite)
bench_backend sqlite "sqlite:$tmp/wl.db"
if [ "${BENCH_CEILING:-1}" = 1 ]; then bench_ceiling; fi
bench_nginx "$tmp/account.json"
bench_scans "$tmp/wl.db"
if [ "${BENCH_PG:-1}" = 1 ]; then
  # its own directory: the server runs as another user, who cannot enter $tmp
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-benchpg.XXXXXX")
  pg_url=$("$root/scripts/pg.sh" start "$pg_dir")
  bench_pgbench "$pg_url"
  backends+=(postgres)
  setup_orgs "$pg_url"
  bench_backend postgres "$pg_url"
fi

history_out=""
if [ -x "$root/scripts/bench_history.sh" ]; then
  history_out=$("$root/scripts/bench_history.sh" "$build_dir") || failed=1
fi

# ---- the report -----------------------------------------------------------------

ratio() { # ratio A B -> A/B with two decimals, or ? when either is missing
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "error" || b == "error" || b + 0 == 0) print "?"; else printf "%.2f\n", a / b }'
}
mb() { awk -v k="$1" 'BEGIN { if (k == "") print "?"; else printf "%.1f\n", k / 1024 }'; }

echo
header="| case |"; rule="| --- |"
for b in "${backends[@]}"; do
  header+=" requests/s ($b) | p99 ($b) |"; rule+=" ---: | ---: |"
done
echo "$header"; echo "$rule"
for c in "${cases[@]}"; do
  line="| $c |"
  for b in "${backends[@]}"; do line+=" ${RPS[$b|$c]:-?} | ${P99[$b|$c]:-?} |"; done
  echo "$line"
done
echo
echo "| reference | figure |"
echo "| --- | ---: |"
echo "| nginx: the account JSON as a static file | ${RPS[nginx|account]:-?} requests/s (p99 ${P99[nginx|account]:-?}) |"
if [ "${BENCH_PG:-1}" = 1 ]; then
  echo "| pgbench -N -c16 -j2 (same PostgreSQL) | ${FIG[pgbench_tps]:-?} tps (latency ${FIG[pgbench_latency]:-?}) |"
fi
scan_took=${FIG[scan_ms]:-}
scan_took=${scan_took//,/ and }
echo "| /healthz during 2 year-long CSV exports (${FIG[scan_seed]}; ${FIG[scan_rows]:-?} rows each, took ${scan_took:-?} ms) | p50 ${FIG[scan_p50]:-?} ms, p99 ${FIG[scan_p99]:-?} ms, max ${FIG[scan_max]:-?} ms of ${FIG[scan_probes]:-?} probes |"
echo "| resident memory idle, after start (SQLite) | $(mb "${FIG[rss_idle_kb]:-}") MB |"
echo "| resident memory with ${FIG[held]:-?} idle keep-alive connections | $(mb "${FIG[rss_held_kb]:-}") MB |"
if [ "${BENCH_CEILING:-1}" = 1 ]; then
  debits="${RPS[sqlite|${cases[2]}]:-}"
  healthz="${RPS[sqlite|${cases[0]}]:-}"
  echo
  echo "| engine events on SQLite, skipping part of their path (tests/bench/ceiling.patch) | requests/s | p99 | of /healthz |"
  echo "| --- | ---: | ---: | ---: |"
  echo "| answered on the server thread, nothing queued | ${RPS[ceiling|answer]:-?} | ${P99[ceiling|answer]:-?} | $(ratio "${RPS[ceiling|answer]:-}" "$healthz") |"
  echo "| suspended, resumed at once by the server thread | ${RPS[ceiling|resume]:-?} | ${P99[ceiling|resume]:-?} | $(ratio "${RPS[ceiling|resume]:-}" "$healthz") |"
  echo "| handed to the writer, which stores nothing | ${RPS[ceiling|writer]:-?} | ${P99[ceiling|writer]:-?} | $(ratio "${RPS[ceiling|writer]:-}" "$healthz") |"
  echo "| durable debits (the real build, above) | ${debits:-?} | ${P99[sqlite|${cases[2]}]:-?} | $(ratio "$debits" "$healthz") |"
fi
if [ -n "$history_out" ]; then
  echo
  grep -v '^ratio ' <<<"$history_out" || true
fi

echo
echo "ratio account_sqlite_vs_nginx = $(ratio "${RPS[sqlite|${cases[1]}]:-}" "${RPS[nginx|account]:-}") (target >= 0.8)"
echo "ratio debits_sqlite_vs_healthz = $(ratio "${RPS[sqlite|${cases[2]}]:-}" "${RPS[sqlite|${cases[0]}]:-}") (target >= 0.5)"
if [ "${BENCH_PG:-1}" = 1 ]; then
  echo "ratio debits_pg_vs_pgbench = $(ratio "${RPS[postgres|${cases[2]}]:-}" "${FIG[pgbench_tps]:-}") (target >= 2)"
  echo "ratio account_pg_vs_healthz = $(ratio "${RPS[postgres|${cases[1]}]:-}" "${RPS[postgres|${cases[0]}]:-}") (target >= 0.3)"
fi
# p99: on a shared 2-core machine the single slowest probe measures whatever
# else the machine ran at that moment; the table shows it beside.
echo "ratio healthz_during_usage_scans_ms = ${FIG[scan_p99]:-?} (target < 10)"
echo "ratio idle_rss_mb = $(mb "${FIG[rss_idle_kb]:-}") (target <= 30)"
if [ -n "${FIG[rss_held_kb]:-}" ] && [ -n "${FIG[rss_idle_kb]:-}" ]; then
  echo "ratio rss_10k_idle_conns_extra_mb = $(mb $((FIG[rss_held_kb] - FIG[rss_idle_kb]))) (target <= 100)"
else
  echo "ratio rss_10k_idle_conns_extra_mb = ? (target <= 100)"
fi
grep '^ratio ' <<<"$history_out" || true
exit "$failed"
