#!/usr/bin/env bash
# `npm start`: set up everything on a fresh machine (npm packages, build, Debian packages, guest image),
# then run the main job with the embedded default configuration and the bundled commands; on a terminal, end in the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-system.sh
# On a terminal the demo ends in the interactive UI (`firebreak` with no arguments); without one, the demo alone.
if [ -t 0 ] && [ -t 1 ] && [ $# -eq 0 ]; then
  node bin/firebreak.js demo
  echo
  echo "Opening the terminal UI (/help lists its commands, Ctrl-D leaves it)."
  exec node bin/firebreak.js
fi
exec node bin/firebreak.js demo "$@"
