#!/usr/bin/env bash
# bench_history.sh — do reads grow with history? (issue 10) On SQLite, and on
# a throw-away PostgreSQL (scripts/pg.sh) unless BENCH_PG=0: seeds a small
# history (BENCH_SMALL_CALLS, 10k calls over BENCH_DAYS, 365 days) into one
# agency and a big one (BENCH_BIG_CALLS, default 10M) into another with
# `wlportal admin seed-usage`, starts the release server, and times on each
# org the year-long usage summary
#   GET /api/v1/usage?start_date=<today-364>&end_date=<today>&limit=1
# and GET /api/v1/account (monthly usage), the median of BENCH_REQUESTS
# (15) requests after 3 warm-up ones, with curl -w. Prints
#   ratio usage_summary_10M_vs_10k = X (target <= 2)
#   ratio account_10M_vs_10k = X (target <= 2)
# (the PostgreSQL ones with a _postgres suffix), the seed rates, and a
# Markdown table. scripts/bench.sh forwards the `ratio` lines.
# Usage: scripts/bench_history.sh BUILD_DIR
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$(cd "$1" && pwd)/wlportal"
[ -x "$bin" ] || { echo "bench_history.sh: $bin not found (build it first)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench_history.sh: curl is not installed" >&2; exit 1; }

small=${BENCH_SMALL_CALLS:-10000}
big=${BENCH_BIG_CALLS:-10000000}
days=${BENCH_DAYS:-365}
nreq=${BENCH_REQUESTS:-15}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-benchhist.XXXXXX")
server_pid=""
pg_dir=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null || true
  fi
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  if [ -n "$pg_dir" ]; then
    "$root/scripts/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

json_field() { # json_field FIELD <<< JSON -> the value of "FIELD" (string or number)
  local text re
  text=$(cat)
  re="\"$1\"[[:space:]]*:[[:space:]]*\"?([^\",}]*)"
  [[ $text =~ $re ]] || { echo "bench_history.sh: no \"$1\" in: $text" >&2; return 1; }
  printf '%s\n' "${BASH_REMATCH[1]}"
}

export WLPORTAL_MASTER_KEY_FILE="$tmp/master.key"
export WLPORTAL_ENGINE_TOKEN="bench_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
export WLPORTAL_BASE_DOMAIN=localhost
unset WLPORTAL_DB WLPORTAL_LISTEN

# time_pair NAME URL SMALL_KEY BIG_KEY: MS[NAME|small] and MS[NAME|big], the
# medians of $nreq request times in ms (3 warm-up each first), the two orgs
# asked in turn so that whatever else the machine does weighs on both alike.
time_pair() {
  local name=$1 url=$2 i k code
  for i in 1 2 3; do
    for k in "$3" "$4"; do
      curl -sS -o /dev/null --max-time 120 -H "Authorization: Bearer $k" "$url"
    done
  done
  : >"$tmp/small.t"; : >"$tmp/big.t"
  for i in $(seq 1 "$nreq"); do
    for k in small big; do
      [ $k = small ] && key=$3 || key=$4
      code=$(curl -sS -o /dev/null --max-time 120 -w '%{http_code} %{time_total}' \
        -H "Authorization: Bearer $key" "$url")
      [ "${code%% *}" = 200 ] || { echo "bench_history.sh: $url answered ${code%% *}" >&2; exit 1; }
      echo "${code#* }" >>"$tmp/$k.t"
    done
  done
  for k in small big; do
    MS[$name|$k]=$(sort -n "$tmp/$k.t" | awk '{ v[NR] = $1 } END { printf "%.3f\n", 1000 * v[int((NR + 1) / 2)] }')
  done
}

declare -A MS SEED
# seed_org DB NAME CALLS: a new agency with CALLS seeded calls; sets KEY[NAME]
# (its API key) and SEED[NAME] (the seed rate).
declare -A KEY
seed_org() {
  local db=$1 name=$2 calls=$3 json org out
  json=$("$bin" admin create-org --name "History $name" --email "$name@history.bench.test" \
    --password "history-bench-password" --db "$db")
  org=$(json_field org_id <<<"$json")
  KEY[$name]=$(json_field api_key <<<"$json")
  out=$("$bin" admin seed-usage --org "$org" --calls "$calls" --days "$days" --grant --db "$db" \
    2>"$tmp/seed-$name.log") || { cat "$tmp/seed-$name.log" >&2; exit 1; }
  SEED[$name]=$(json_field calls_per_second <<<"$out")
  echo "seed-usage $name: $out" >&2
}

# bench_backend NAME DB_URL
bench_backend() {
  local backend=$1 db=$2 port url from to q small_key big_key
  "$bin" migrate --db "$db" >/dev/null
  seed_org "$db" "$backend-small" "$small"
  seed_org "$db" "$backend-big" "$big"
  # PostgreSQL would otherwise spend the timing vacuuming, analysing and
  # checkpointing the bulk load: done first, as a settled database would be.
  if [ "$backend" = postgres ]; then
    "${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -d "$db" -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >&2
  fi
  small_key=${KEY[$backend-small]}
  big_key=${KEY[$backend-big]}
  port=$(free_port)
  url="http://127.0.0.1:$port"
  "$bin" serve --listen "127.0.0.1:$port" --db "$db" >"$tmp/server-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$tmp/server-$backend.log" >&2; exit 1; }
    sleep 0.1
  done
  to=$(date -u +%F)
  from=$(date -u -d "$to - $((days - 1)) days" +%F)
  q="/api/v1/usage?start_date=$from&end_date=$to&limit=1"
  time_pair "$backend|usage" "$url$q" "$small_key" "$big_key"
  time_pair "$backend|account" "$url/api/v1/account" "$small_key" "$big_key"
  stop_server
  "$bin" audit --db "$db" >"$tmp/audit-$backend.txt" 2>&1 ||
    { echo "bench_history.sh: audit ($backend) failed:" >&2; cat "$tmp/audit-$backend.txt" >&2; exit 1; }
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

backends=(sqlite)
bench_backend sqlite "sqlite:$tmp/history.db"
if [ "${BENCH_PG:-1}" != 0 ]; then
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-benchhistpg.XXXXXX")
  bench_backend postgres "$("$root/scripts/pg.sh" start "$pg_dir")"
  backends+=(postgres)
fi

size_label() { awk -v n="$1" 'BEGIN { if (n % 1000000 == 0) printf "%dM", n / 1000000; else if (n % 1000 == 0) printf "%dk", n / 1000; else printf "%d", n }'; }
label="$(size_label "$big")_vs_$(size_label "$small")"
echo
echo "| read ($days days of history) | backend | $small calls (ms) | $big calls (ms) | ratio | seed calls/s ($big) |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for b in "${backends[@]}"; do
  for c in usage account; do
    echo "| $c | $b | ${MS[$b|$c|small]} | ${MS[$b|$c|big]} | $(ratio "${MS[$b|$c|big]}" "${MS[$b|$c|small]}") | ${SEED[$b-big]} |"
  done
done
echo
for b in "${backends[@]}"; do
  suffix=""
  [ "$b" = sqlite ] || suffix="_$b"
  echo "ratio usage_summary_$label$suffix = $(ratio "${MS[$b|usage|big]}" "${MS[$b|usage|small]}") (target <= 2)"
  echo "ratio account_$label$suffix = $(ratio "${MS[$b|account|big]}" "${MS[$b|account|small]}") (target <= 2)"
done
