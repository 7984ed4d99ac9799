#!/usr/bin/env bash
# Builds the `firebreak` command's native launcher (launcher/firebreak.c) into dist/launcher/firebreak.
# Without a C compiler there is none, and bin/firebreak starts the Node CLI for every call (slower, same results).
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/launcher/firebreak
mkdir -p "$(dirname "$out")"
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  rm -f "$out"
  echo "firebreak: no C compiler ($cc): the firebreak command will start Node for every call (install gcc for the fast path)" >&2
  exit 0
fi
"$cc" -std=gnu11 -O2 -Wall -Wextra -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now \
  -o "$out.tmp" launcher/firebreak.c
mv "$out.tmp" "$out"
