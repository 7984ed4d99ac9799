#!/usr/bin/env bash
# Installs the Debian packages firebreak's microVM runtime, guest image and tests need (idempotent),
# then builds the guest image if its inputs changed. Needs root for apt-get (this machine kind runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(
  qemu-system-x86                  # the QEMU microvm backend
  linux-source-6.1 flex bison libelf-dev lz4 bc make xz-utils   # the guest kernel, built from Debian's source
  busybox-static cpio              # the guest initramfs
  musl-tools                       # a ~100 KB static guest agent (glibc -static works without it)
  jq                               # the README's example external hook, run by the tests
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "firebreak: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "firebreak: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# Builds only when the kernel config, agent, init script or packages changed (content-addressed cache).
node bin/firebreak.js vm image build >&2
