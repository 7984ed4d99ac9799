#!/usr/bin/env bash
# Installs what firebreak needs on a fresh machine of this kind (idempotent): npm packages, then a build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "firebreak: installing npm packages" >&2
  npm ci --no-audit --no-fund >&2
fi
echo "firebreak: building" >&2
npm run build --silent >&2
