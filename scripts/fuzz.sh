#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz with clang (ASan + UBSan) and
# runs each one. Usage:
#   scripts/fuzz.sh            replay the kept corpus only (fast; make test)
#   scripts/fuzz.sh SECONDS    fuzz each target that long, growing the corpus
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-0}
out="$root/build-fuzz"
mkdir -p "$out"
core=("$root"/src/core/*.c)   # core links libsodium (stripe_sig.c), see below
flags=(-g -O1 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$root/src")
for src in "$root"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  # A target names what it needs beyond src/core in a "fuzz-extra:" comment.
  extra=()
  for f in $(sed -n 's|^/\* fuzz-extra: \(.*\) \*/$|\1|p' "$src"); do extra+=("$root/$f"); done
  clang "${flags[@]}" "$src" "${core[@]}" ${extra[@]+"${extra[@]}"} $(pkg-config --cflags --libs jansson libsodium) -o "$out/$name"
  corpus="$root/tests/fuzz/corpus/$name"
  mkdir -p "$corpus"
  if [ "$seconds" -gt 0 ]; then
    "$out/$name" -max_total_time="$seconds" -max_len=4096 "$corpus" 2>&1 | tail -n 2
  else
    # Replays every kept input plus a short burst of new ones; what the burst
    # finds goes to a scratch directory, so the kept corpus is not changed.
    scratch=$(mktemp -d)
    rc=0
    "$out/$name" -runs=20000 -max_len=4096 "$scratch" "$corpus" > "$scratch.log" 2>&1 || rc=$?
    grep -E "^(Done|INFO: seed corpus)|ERROR|SUMMARY" "$scratch.log" || true
    rm -rf "$scratch" "$scratch.log"
    if [ "$rc" -ne 0 ]; then echo "fuzz: $name failed"; exit 1; fi
  fi
  echo "fuzz: $name ok"
done
