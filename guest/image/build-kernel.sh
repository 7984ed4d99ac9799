#!/usr/bin/env bash
# Builds the firebreak guest kernel from Debian's linux-source-6.1 tarball.
#   build-kernel.sh <linux-source tarball> <config fragment> <work dir> <out dir>
# The work dir keeps the unpacked tree between runs so a changed fragment rebuilds
# incrementally (~15 s instead of ~4 min). Out dir receives bzImage, vmlinux, config.
# Fails closed: an option of the fragment that did not survive olddefconfig is an error.
set -euo pipefail

tarball=$1 fragment=$2 work=$3 out=$4
jobs=${FIREBREAK_KERNEL_JOBS:-$(nproc)}
log() { echo "firebreak kernel: $*" >&2; }

mkdir -p "$work" "$out"
src="$work/linux"
if [ ! -f "$src/Makefile" ]; then
  log "unpacking $(basename "$tarball")"
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  tar -xf "$tarball" -C "$src.tmp" --strip-components=1
  mv "$src.tmp" "$src"
fi
cd "$src"

log "configuring: tinyconfig + $(basename "$fragment")"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m -O . .config "$fragment" >/dev/null
make -s olddefconfig >/dev/null

# Every option of the fragment must hold in the final config: a value verbatim, an
# "is not set" as absent-or-unset (an option hidden by its dependencies is off too).
missing=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" .config && continue ;;
    "# CONFIG_"*" is not set")
      sym=${line#\# }; sym=${sym%% *}
      grep -q "^$sym=" .config || continue ;;
    *) continue ;;
  esac
  log "option did not take effect: $line"
  missing=1
done < "$fragment"
[ "$missing" = 0 ] || { log "config fragment not satisfiable (missing dependencies?)"; exit 1; }

log "building bzImage + vmlinux with make -j$jobs (first build takes minutes)"
nice -n 10 make -j"$jobs" bzImage >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }

cp arch/x86/boot/bzImage "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
cp vmlinux "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
cp .config "$out/config"
make -s kernelrelease > "$out/release"
log "done: $(cat "$out/release"), bzImage $(du -k "$out/bzImage" | cut -f1) KiB, vmlinux $(du -k "$out/vmlinux" | cut -f1) KiB"
