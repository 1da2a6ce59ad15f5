#!/usr/bin/env bash
# Installs what wlportal needs to build, test and benchmark on a Debian machine.
# Only missing packages are installed; a machine that has them all is left alone.
# Usage: scripts/deps.sh [build|test|bench]   (default: build)
set -euo pipefail

what=${1:-build}

build_pkgs=(gcc make meson ninja-build pkg-config
            libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
            libcurl4-openssl-dev libpq-dev libhpdf-dev
            poppler-utils   # pdftotext: the text of PDF knowledge-base documents
            nodejs)         # scripts/vendor.sh: the API reference's renderer comes from npm
test_pkgs=(clang-format libcmocka-dev nodejs postgresql sqlite3 valgrind dnsmasq-base clang libclang-rt-14-dev
           nginx-light poppler-utils)
test_pkgs+=(chromium)   # browser tests (tests/e2e) drive Debian's chromium
test_pkgs+=(prometheus) # promtool check metrics (tests/integration/metrics.test.mjs)
test_pkgs+=(patch)  # make test checks that tests/bench/ceiling.patch still applies
test_pkgs+=(caddy)      # on-demand TLS in front of wlportal (tests/integration/caddy_tls.test.mjs)
bench_pkgs=(wrk postgresql nginx-light nodejs sqlite3
            patch)   # the measurement copy of scripts/bench.sh (tests/bench/ceiling.patch)

case "$what" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "wlportal: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm comes with Debian's nodejs on some images and as its own package on others.
if { [ "$what" = test ] || [ "$what" = build ]; } && ! command -v npm >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
exit 0
