#!/usr/bin/env bash
# Copies the API reference's renderer (swagger-ui-dist from npm, pinned by
# package-lock.json) into web/static, where /docs loads it from this server:
# no CDN. Runs `npm ci` first when node_modules lacks it. The copies are not
# in git (.gitignore); `make build` runs this, and meson's install copies
# web/ with them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
src=node_modules/swagger-ui-dist
if [ ! -f "$src/swagger-ui-bundle.js" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
for f in swagger-ui-bundle.js swagger-ui.css; do
  if ! cmp -s "$src/$f" "web/static/$f"; then cp "$src/$f" "web/static/$f"; fi
done
if ! cmp -s "$src/LICENSE" web/static/swagger-ui.LICENSE.txt; then
  cp "$src/LICENSE" web/static/swagger-ui.LICENSE.txt
fi
