#!/usr/bin/env bash
# Instructions per request under valgrind's callgrind (stable on a shared
# machine where wall-clock figures are not): starts BUILD_DIR/wlportal under
# callgrind on a fresh database, warms up, zeroes the counters, sends N
# requests of one kind over one keep-alive connection (curl), dumps, and
# prints the total instructions of all threads divided by N, then the
# functions that cost most (inclusive, per request).
# Usage: scripts/profile.sh BUILD_DIR account|events|healthz [N] [DB_URL]
#   healthz: GET /healthz (the server's own floor per request)
#   account: GET /api/v1/account with a client org's API key
#   events:  POST /engine/v1/calls/{id}/events, in-progress, one second more
#            each time, round-robin over 20 calls (durable debits)
#   DB_URL:  a PostgreSQL URL (an empty database) instead of a fresh SQLite file
# Env: PROFILE_OUT (directory for callgrind.out.*; a temp one by default)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR account|events|healthz [N] [DB_URL]" >&2; exit 2; }
bin=$(cd "$1" && pwd)/wlportal
kind=$2
n=${3:-2000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wlportal-prof.XXXXXX")
out=${PROFILE_OUT:-$tmp}
db=${4:-sqlite:$tmp/wl.db}
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

json_field() {
  local text re
  text=$(cat)
  re="\"$1\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
  [[ $text =~ $re ]] || { echo "profile.sh: no \"$1\" in: $text" >&2; return 1; }
  printf '%s\n' "${BASH_REMATCH[1]}"
}

token="prof_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
export WLPORTAL_ENGINE_TOKEN="$token" WLPORTAL_MASTER_KEY_FILE="$tmp/master.key"
export WLPORTAL_BASE_DOMAIN=localhost
export WLPORTAL_API_RATE=1000000 WLPORTAL_API_BURST=10000000
export WLPORTAL_API_ADDR_RATE=1000000 WLPORTAL_API_ADDR_BURST=10000000
unset WLPORTAL_DB WLPORTAL_LISTEN

"$bin" migrate --db "$db" >/dev/null
agency=$("$bin" admin create-org --name "Prof Agency" --email a@prof.test --password prof-agency-pw \
  --minutes 100000000 --db "$db" | json_field org_id)
child_json=$("$bin" admin create-org --name "Prof Client" --email c@prof.test \
  --password prof-client-pw --parent "$agency" --minutes 10000000 --db "$db")
child=$(json_field org_id <<<"$child_json")
key=$(json_field api_key <<<"$child_json")

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port"
(cd "$out" && exec valgrind --tool=callgrind --collect-atstart=yes \
  --callgrind-out-file="$out/callgrind.out.%p" \
  "$bin" serve --listen "127.0.0.1:$port" --db "$db") >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done

# config FILE COUNT: curl config of COUNT requests of the kind
calls=()
if [ "$kind" = events ]; then
  for _ in $(seq 1 20); do
    calls+=("$(curl -fsS -X POST "$url/engine/v1/calls/inbound" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' \
      --data "{\"org_id\":\"$child\",\"from\":\"+4915112345678\",\"to\":\"+31201234567\"}" |
      json_field call_id)")
  done
fi
elapsed=0
config() {
  local file=$1 count=$2 i
  : >"$file"
  for i in $(seq 1 "$count"); do
    [ "$i" -gt 1 ] && echo next >>"$file"
    if [ "$kind" = healthz ]; then
      printf 'url = "%s/healthz"\noutput = "/dev/null"\n' "$url" >>"$file"
    elif [ "$kind" = account ]; then
      printf 'url = "%s/api/v1/account"\nheader = "Authorization: Bearer %s"\noutput = "/dev/null"\n' \
        "$url" "$key" >>"$file"
    else
      if [ $(((i - 1) % 20)) -eq 0 ]; then elapsed=$((elapsed + 1)); fi
      printf 'url = "%s/engine/v1/calls/%s/events"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"type\\":\\"status-update\\",\\"status\\":\\"in-progress\\",\\"elapsed_sec\\":%d}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
        "$url" "${calls[$(((i - 1) % 20))]}" "$token" "$elapsed" >>"$file"
    fi
  done
}
config "$tmp/warm.cfg" 200
config "$tmp/run.cfg" "$n"
curl -sS -K "$tmp/warm.cfg" >/dev/null
callgrind_control -z "$pid" >/dev/null
codes=$(curl -sS -K "$tmp/run.cfg" -w '%{http_code}\n')
callgrind_control -d "$pid" >/dev/null
bad=$(grep -cv '^200$' <<<"$codes" || true)
[ "$bad" -eq 0 ] || echo "profile.sh: $bad answers were not 200" >&2
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""
dump=$(ls -t "$out"/callgrind.out.*.* 2>/dev/null | head -n 1)
[ -n "$dump" ] || { echo "profile.sh: no dump" >&2; exit 1; }
total=$(awk '/^summary:/ {print $2}' "$dump")
awk -v t="$total" -v n="$n" -v k="$kind" 'BEGIN { printf "instructions per request (%s, all threads, %d requests): %.0f\n", k, n, t / n }'
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | sed -n '1,60p' | grep -E '^ *[0-9,]+ ' | head -n 45 |
  awk -v n="$n" '{ gsub(",", "", $1); printf "%10.0f  %s\n", $1 / n, $3 }'
