#!/usr/bin/env bash
# `npm start`: set up everything on a fresh machine, then run the main job with the
# embedded default configuration and the bundled commands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node bin/firebreak.js demo "$@"
