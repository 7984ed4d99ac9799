#!/usr/bin/env bash
# `npm test`: set up everything on a fresh machine (npm packages, build, Debian packages, guest image),
# then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-system.sh
exec npx vitest run "$@"
