#!/usr/bin/env bash
# `npm start`: set up everything on a fresh machine (npm packages, build, Debian packages, guest image),
# then run the main job with the embedded default configuration and the bundled commands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-system.sh
exec node bin/firebreak.js demo "$@"
