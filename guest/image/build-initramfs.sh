#!/usr/bin/env bash
# Builds the firebreak guest initramfs (gzip newc cpio) from busybox-static, the agent
# and init.sh.
#   build-initramfs.sh <busybox binary> <agent binary> <init script> <out.cpio.gz>
# Applet links are made here, not at boot (saves guest time). The archive is
# reproducible: fixed mtimes, sorted entries, root ownership.
set -euo pipefail

busybox=$1 agent=$2 init=$3 out=$4
log() { echo "firebreak initramfs: $*" >&2; }
for f in "$busybox" "$agent" "$init"; do
  [ -f "$f" ] || { log "missing input: $f"; exit 1; }
done
[ "$(head -c 4 "$agent" | tail -c 3)" = ELF ] || { log "agent is not an ELF binary: $agent"; exit 1; }
# The guest has no libc: both binaries must be static (no ELF interpreter).
if command -v readelf >/dev/null; then
  for bin in "$busybox" "$agent"; do
    if readelf -l "$bin" 2>/dev/null | grep -q "program interpreter"; then
      log "$bin is dynamically linked; the guest needs a static binary (busybox: apt-get install busybox-static)"
      exit 1
    fi
  done
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,work,etc,root}
install -m 0755 "$busybox" "$stage/bin/busybox"
install -m 0755 "$agent" "$stage/sbin/firebreak-agent"
install -m 0755 "$init" "$stage/init"
# Applet links (relative to /bin/busybox), skipping anything already present.
"$busybox" --list-full | while read -r applet; do
  [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
ln -sf /tmp/resolv.conf "$stage/etc/resolv.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\n' > "$stage/etc/group"

# The kernel creates /dev/console only via devtmpfs; the initial console open happens
# before that, so ship the node (needs root, which the builder is).
if [ "$(id -u)" = 0 ]; then mknod -m 600 "$stage/dev/console" c 5 1; fi

tmp="$out.tmp.$$"
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  xargs -0 touch -h -d @0 &&
  find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc -R 0:0 --quiet) | gzip -9 -n > "$tmp"
mv "$tmp" "$out"
log "done: $(du -k "$out" | cut -f1) KiB"
