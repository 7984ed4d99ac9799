#!/bin/sh
# firebreak guest init (PID 1, busybox sh). Mounts the basics, sizes the writable
# filesystem from the kernel command line, brings up a NIC only if one exists, and runs
# the agent as the guest's only service. Prints FIREBREAK-* markers on the console so the
# host can time the boot phases. When the agent exits the VM resets (QEMU runs with
# -no-reboot, so it exits): a guest without its agent is useless, so it fails closed.
#
# Kernel command-line words read here:
#   firebreak.disk_mb=N        size of the tmpfs holding /work and /tmp (default: tmpfs default, half of RAM)
#   firebreak.agent=serial     agent on the virtio-serial port named "agent" (default)
#   firebreak.agent=vsock:P    agent listens on vsock port P (Firecracker)
#   firebreak.ip=A/N firebreak.gw=G firebreak.dns=D   static IPv4 for eth0 (defaults: QEMU user-net)
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/work TERM=dumb

mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
read -r up _ < /proc/uptime
echo "FIREBREAK-INIT uptime=$up" > /dev/console
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777,size=16m tmpfs /dev/shm

disk_mb="" agent="serial" ip="10.0.2.15/24" gw="10.0.2.2" dns="10.0.2.3"
for word in $(cat /proc/cmdline); do
  case "$word" in
    firebreak.disk_mb=*) disk_mb=${word#*=} ;;
    firebreak.agent=*) agent=${word#*=} ;;
    firebreak.ip=*) ip=${word#*=} ;;
    firebreak.gw=*) gw=${word#*=} ;;
    firebreak.dns=*) dns=${word#*=} ;;
  esac
done

# One sized tmpfs backs both /work and /tmp, so together they never exceed disk_mb.
size_opt=""
case "$disk_mb" in
  "") ;;
  *[!0-9]*) echo "FIREBREAK-ERROR bad firebreak.disk_mb=$disk_mb" > /dev/console; reboot -f ;;
  *) size_opt=",size=${disk_mb}m" ;;
esac
mkdir -p /.disk
mount -t tmpfs -o "mode=755$size_opt" disk /.disk
mkdir -p /.disk/work /.disk/tmp /work /tmp
chmod 1777 /.disk/tmp
mount --bind /.disk/work /work
mount --bind /.disk/tmp /tmp
# The initramfs root stays read-only: writes go to the sized filesystem only.
mount -o remount,ro / 2>/dev/null

ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  ip addr add "$ip" dev eth0
  ip route add default via "$gw"
  echo "nameserver $dns" > /tmp/resolv.conf
fi

case "$agent" in
  serial)
    port=""
    for p in /sys/class/virtio-ports/*; do
      [ "$(cat "$p/name" 2>/dev/null)" = agent ] && port=/dev/${p##*/}
    done
    if [ -z "$port" ]; then
      echo "FIREBREAK-ERROR no virtio-serial port named agent" > /dev/console
      reboot -f
    fi
    set -- --serial "$port" ;;
  vsock:*) set -- --vsock "${agent#vsock:}" ;;
  *) echo "FIREBREAK-ERROR bad firebreak.agent=$agent" > /dev/console; reboot -f ;;
esac

read -r up _ < /proc/uptime
echo "FIREBREAK-AGENT-START uptime=$up" > /dev/console
cd /work
/sbin/firebreak-agent "$@"
echo "FIREBREAK-AGENT-EXIT status=$?" > /dev/console
reboot -f
