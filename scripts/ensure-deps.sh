#!/usr/bin/env bash
# Installs what firebreak needs on a fresh machine of this kind (idempotent): npm packages, then a build.
set -euo pipefail
cd "$(dirname "$0")/.."
# The shell parser's native binding (tree-sitter, an optional dependency) is compiled at install where its prebuilt
# binary does not load (Debian 12's C++ runtime is older than the one it was built against): node-gyp needs g++,
# make and python3. Without them the install skips it and firebreak parses with WebAssembly, slower. The same
# toolchain (gcc comes with g++) builds the `firebreak` command's native launcher (scripts/build-launcher.sh).
if [ "$(id -u)" -eq 0 ] && ! { command -v g++ && command -v cc && command -v make && command -v python3; } >/dev/null 2>&1; then
  echo "firebreak: installing a C++ toolchain for the native parser binding" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends g++ make python3 >&2
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "firebreak: installing npm packages" >&2
  npm ci --no-audit --no-fund >&2
fi
echo "firebreak: building" >&2
npm run build --silent >&2
