#!/bin/sh
# TEST PEER, not part of the backend: stands in for Firecracker's jailer in the lifecycle tests. It parses the jailer's
# arguments, records them (FAKE_JAILER_RECORD), creates <chroot-base>/<exec name>/<id>/root and execs the exec file
# there with the arguments after "--" (same pid, like the jailer). It does not chroot or switch uid/gid.
record=${FAKE_JAILER_RECORD:-/dev/null}
printf '%s\n' "$*" >> "$record"
while [ $# -gt 0 ]; do
  case "$1" in
    --id) id=$2; shift 2 ;;
    --exec-file) exe=$2; shift 2 ;;
    --chroot-base-dir) base=$2; shift 2 ;;
    --uid|--gid|--cgroup-version|--netns) shift 2 ;;
    --) shift; break ;;
    *) echo "fake jailer: unknown argument $1" >&2; exit 2 ;;
  esac
done
root="$base/$(basename "$exe")/$id/root"
mkdir -p "$root" && cd "$root" && exec "$exe" "$@"
