#define _GNU_SOURCE
#include "sysops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "compat.h"
#include "wire.h"

#define RESEED_MAX_BYTES 4096

void sysop_sync(uint64_t id) {
  sync();
  reply_ok(id);
}

void sysop_settime(uint64_t id, const json_value *h) {
  int64_t epoch_ms;
  if (json_get_int(h, "epoch_ms", 0, (int64_t)1 << 50, &epoch_ms) != 1) {
    reply_error(id, "bad_request", "settime needs 'epoch_ms', a non-negative integer");
    return;
  }
  if (!A.cfg.allow_settime) {
    reply_error(id, "disabled", "settime is disabled (--no-settime)");
    return;
  }
  struct timespec ts = {(time_t)(epoch_ms / 1000), (long)(epoch_ms % 1000) * 1000000L};
  if (clock_settime(CLOCK_REALTIME, &ts) < 0) {
    reply_error(id, "io", "clock_settime: %s", strerror(errno));
    return;
  }
  reply_ok(id);
}

/* Snapshot clones start with identical RNG state; mixing host entropy in makes them differ.
 * RNDADDENTROPY also credits it (root only); a plain write mixes without crediting. */
void sysop_reseed(uint64_t id, const uint8_t *payload, size_t len) {
  if (len == 0 || len > RESEED_MAX_BYTES) {
    reply_error(id, "bad_request", "reseed needs 1..%d payload bytes", RESEED_MAX_BYTES);
    return;
  }
  int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    reply_error(id, "io", "opening /dev/urandom: %s", strerror(errno));
    return;
  }
  int credited = 0;
  struct firebreak_rand_pool_info *info = malloc(sizeof *info + len);
  if (info) {
    info->entropy_count = (int)(len * 8);
    info->buf_size = (int)len;
    memcpy(info->buf, payload, len);
    credited = ioctl(fd, FIREBREAK_RNDADDENTROPY, info) == 0;
    free(info);
  }
  if (!credited && write(fd, payload, len) != (ssize_t)len) {
    reply_error(id, "io", "writing /dev/urandom: %s", strerror(errno));
    close(fd);
    return;
  }
  close(fd);
  json_writer w;
  reply_begin(&w, "ok", id);
  jw_int(&w, "bytes", (int64_t)len);
  jw_bool(&w, "credited", credited);
  send_reply(&w, NULL, 0);
}

void sysop_power_off(int reboot_instead) {
  sync();
  if (!A.cfg.allow_power_off) return;
  /* Without ACPI (QEMU microvm, acpi=off) RB_POWER_OFF only halts the CPUs and the VMM keeps
   * running; a reboot makes QEMU -no-reboot and Firecracker exit. */
  log_msg("%s", reboot_instead ? "rebooting (the VMM ends the VM)" : "powering off");
  reboot(reboot_instead ? RB_AUTOBOOT : RB_POWER_OFF);
  log_msg("reboot() failed: %s", strerror(errno));
}
