#!/usr/bin/env bash
# Benchmarks a release build of wlportal with wrk on loopback, in one run on
# SQLite and then on a throw-away PostgreSQL (scripts/pg.sh), same cases:
#   GET /healthz, GET /api/v1/account, and engine events (durable ledger debits).
# Usage: scripts/bench.sh BUILD_DIR        (make bench passes the release build)
# Env:   BENCH_DURATION (default 10s), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
#        BENCH_CALLS (200), BENCH_PG=0 to skip PostgreSQL
# Prints a Markdown table (one row per case, a column pair per database) and
# `wlportal audit` of each database after its server stopped (stderr).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$(cd "$1" && pwd)/wlportal"
[ -x "$bin" ] || { echo "bench.sh: $bin not found (build it first)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench.sh: wrk is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench.sh: curl is not installed" >&2; exit 1; }

duration=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
ncalls=${BENCH_CALLS:-200}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-bench.XXXXXX")
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "bench.sh: server did not stop in 10 s, killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  if [ -n "$server_pid" ]; then
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  if [ -n "${pg_dir:-}" ]; then
    "$root/scripts/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  if command -v node >/dev/null; then
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  elif command -v python3 >/dev/null; then
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

json_field() { # json_field FIELD <<< JSON  -> the string value of "FIELD"
  local text re
  text=$(cat)
  re="\"$1\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
  [[ $text =~ $re ]] || { echo "bench.sh: no \"$1\" in: $text" >&2; return 1; }
  printf '%s\n' "${BASH_REMATCH[1]}"
}

token="bench_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
export WLPORTAL_ENGINE_TOKEN="$token"
export WLPORTAL_MASTER_KEY_FILE="$tmp/master.key"
export WLPORTAL_BASE_DOMAIN=localhost
# one key and one address measure throughput: no rate limit in the way
export WLPORTAL_API_RATE=1000000 WLPORTAL_API_BURST=10000000
export WLPORTAL_API_ADDR_RATE=1000000 WLPORTAL_API_ADDR_BURST=10000000
unset WLPORTAL_DB WLPORTAL_LISTEN

declare -A RPS P99
cases=("GET /healthz" "GET /api/v1/account" "POST engine events (ledger debit)")
failed=0

# run_case BACKEND NAME wrk-args...  -> RPS/P99 for (BACKEND, NAME)
run_case() {
  local backend=$1 name=$2 out bad errs
  shift 2
  out=$(timeout 60 wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@" 2>&1) || {
    echo "bench.sh: wrk failed for $name:" >&2
    echo "$out" >&2
    RPS[$backend|$name]=error; P99[$backend|$name]=error; failed=1
    return 0
  }
  RPS[$backend|$name]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  P99[$backend|$name]=$(awk '$1 == "99%" {print $2; exit}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  errs=$(awk '/Socket errors:/ {print}' <<<"$out")
  [ -n "$errs" ] && echo "bench.sh: $backend $name: $errs" >&2
  if [ -n "$bad" ] && [ "$bad" != "0" ]; then
    echo "bench.sh: $backend $name: $bad non-2xx responses" >&2
    failed=1
  fi
}

# bench_backend NAME DB_URL: the same three cases against one database.
bench_backend() {
  local backend=$1 db=$2 port url agency_json agency child_json child child_key resp
  port=$(free_port)
  url="http://127.0.0.1:$port"
  echo "wlportal bench: $bin, $backend, $url, wrk -t$threads -c$conns -d$duration" >&2
  "$bin" migrate --db "$db" >/dev/null
  agency_json=$("$bin" admin create-org --name "Bench Agency" --email "agency@bench.test" \
    --password "bench-agency-password" --minutes 100000000 --db "$db")
  agency=$(json_field org_id <<<"$agency_json")
  child_json=$("$bin" admin create-org --name "Bench Client" --email "client@bench.test" \
    --password "bench-client-password" --parent "$agency" --minutes 10000000 --db "$db")
  child=$(json_field org_id <<<"$child_json")
  child_key=$(json_field api_key <<<"$child_json")

  "$bin" serve --listen "127.0.0.1:$port" --db "$db" >"$tmp/server-$backend.log" 2>&1 &
  server_pid=$!
  local ready=0
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$ready" -ne 1 ]; then
    echo "bench.sh: server did not become healthy; log:" >&2
    tail -n 50 "$tmp/server-$backend.log" >&2
    exit 1
  fi

  # Calls of the child org: each debit moves the child's credits and the
  # agency's minutes, created through the engine's inbound API.
  : >"$tmp/calls.txt"
  for _ in $(seq 1 "$ncalls"); do
    resp=$(curl -sS --max-time 5 -X POST "$url/engine/v1/calls/inbound" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data "{\"org_id\":\"$child\",\"from\":\"+4915112345678\",\"to\":\"+31201234567\"}")
    json_field call_id <<<"$resp" >>"$tmp/calls.txt"
  done

  run_case "$backend" "${cases[0]}" "$url/healthz"
  run_case "$backend" "${cases[1]}" -s "$root/tests/bench/account.lua" "$url/api/v1/account" -- "$child_key"
  run_case "$backend" "${cases[2]}" -s "$root/tests/bench/events.lua" "$url" -- "$tmp/calls.txt" "$token" "$threads"
  stop_server
  tail -n 1 "$tmp/server-$backend.log" >&2

  local audit_out audit_rc=0
  audit_out=$("$bin" audit --db "$db" 2>&1) || audit_rc=$?
  echo "audit ($backend): $audit_out" >&2
  [ "$audit_rc" -eq 0 ] || failed=1
}

backends=(sqlite)
bench_backend sqlite "sqlite:$tmp/wl.db"
if [ "${BENCH_PG:-1}" = 1 ]; then
  # its own directory: the server runs as another user, who cannot enter $tmp
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-benchpg.XXXXXX")
  pg_url=$("$root/scripts/pg.sh" start "$pg_dir")
  backends+=(postgres)
  bench_backend postgres "$pg_url"
fi

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
exit "$failed"
