#define _GNU_SOURCE
#include "channel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "compat.h"
#include "dispatch.h"
#include "wire.h"

#define SERIAL_OPEN_RETRY_MS 10
#define SERIAL_OPEN_GIVE_UP_MS 30000
#define READ_CHUNK_BYTES (256u * 1024u)
#define LISTEN_BACKLOG 8

/* /sys/class/virtio-ports/vportNpM/name holds the port's name; the device is /dev/vportNpM. */
static int find_serial_by_name(const char *name, char *out, size_t out_len) {
  DIR *d = opendir("/sys/class/virtio-ports");
  if (!d) return -1;
  struct dirent *e;
  int found = -1;
  while (found < 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[512], buf[128];
    snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
    FILE *f = fopen(path, "re");
    if (!f) continue;
    if (fgets(buf, sizeof buf, f)) {
      buf[strcspn(buf, "\n")] = '\0';
      if (strcmp(buf, name) == 0) {
        snprintf(out, out_len, "/dev/%s", e->d_name);
        found = 0;
      }
    }
    fclose(f);
  }
  closedir(d);
  return found;
}

static int open_serial(void) {
  char path[300];
  uint64_t give_up = now_ms() + SERIAL_OPEN_GIVE_UP_MS;
  /* The device node may appear a moment after the agent starts; wait for it. */
  for (;;) {
    const char *p = A.cfg.serial_path;
    if (!p && find_serial_by_name(A.cfg.serial_name, path, sizeof path) == 0) p = path;
    if (p) {
      int fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (fd >= 0) {
        /* SIGIO arrives when the host attaches or detaches (virtio_console fasync). */
        fcntl(fd, F_SETOWN, getpid());
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
        A.serial_fd = fd;
        log_debug("serial port %s open", p);
        return 0;
      }
      if (errno != ENOENT && errno != ENODEV && errno != ENXIO && errno != EBUSY) {
        log_msg("cannot open %s: %s", p, strerror(errno));
        return -1;
      }
    }
    if (now_ms() >= give_up) {
      log_msg("serial port %s did not appear", A.cfg.serial_path ? A.cfg.serial_path : A.cfg.serial_name);
      return -1;
    }
    usleep(SERIAL_OPEN_RETRY_MS * 1000);
  }
}

static int open_listener(int family) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    log_msg("socket: %s", strerror(errno));
    return -1;
  }
  int rc;
  if (family == AF_VSOCK) {
    struct firebreak_sockaddr_vm addr;
    memset(&addr, 0, sizeof addr);
    addr.svm_family = AF_VSOCK;
    addr.svm_port = A.cfg.vsock_port;
    addr.svm_cid = FIREBREAK_VMADDR_CID_ANY;
    rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  } else {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(A.cfg.unix_path) >= sizeof addr.sun_path) {
      log_msg("unix socket path too long (max %zu bytes): %s", sizeof addr.sun_path - 1, A.cfg.unix_path);
      close(fd);
      return -1;
    }
    strcpy(addr.sun_path, A.cfg.unix_path);
    struct stat st;
    /* Replace a stale socket from an earlier run, never any other kind of file. */
    if (lstat(A.cfg.unix_path, &st) == 0 && S_ISSOCK(st.st_mode)) unlink(A.cfg.unix_path);
    rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  }
  if (rc < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
    log_msg("cannot listen: %s", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

int channel_open(void) {
  switch (A.cfg.channel) {
    case CHANNEL_SERIAL:
      if (open_serial() < 0) return -1;
      channel_check_serial();
      return 0;
    case CHANNEL_VSOCK:
      A.listen_fd = open_listener(AF_VSOCK);
      return A.listen_fd < 0 ? -1 : 0;
    case CHANNEL_UNIX:
      A.listen_fd = open_listener(AF_UNIX);
      return A.listen_fd < 0 ? -1 : 0;
    case CHANNEL_FD:
      if (fcntl(A.cfg.fd, F_GETFD) < 0) {
        log_msg("--fd %d is not open", A.cfg.fd);
        return -1;
      }
      fcntl(A.cfg.fd, F_SETFD, FD_CLOEXEC);
      fcntl(A.cfg.fd, F_SETFL, fcntl(A.cfg.fd, F_GETFL) | O_NONBLOCK);
      dispatch_connect(A.cfg.fd);
      return 0;
    default:
      return -1;
  }
}

void channel_close(void) {
  if (A.conn_fd >= 0 && A.cfg.channel != CHANNEL_SERIAL) close(A.conn_fd);
  A.conn_fd = -1;
  if (A.listen_fd >= 0) close(A.listen_fd);
  A.listen_fd = -1;
  if (A.cfg.channel == CHANNEL_UNIX) unlink(A.cfg.unix_path);
  if (A.serial_fd >= 0) close(A.serial_fd);
  A.serial_fd = -1;
}

void channel_check_serial(void) {
  if (A.cfg.channel != CHANNEL_SERIAL || A.conn_fd >= 0) return;
  struct pollfd p = {A.serial_fd, POLLIN, 0};
  if (poll(&p, 1, 0) < 0) return;
  if (p.revents & POLLHUP) return; /* still no host */
  dispatch_connect(A.serial_fd);
}

int channel_next_timeout_ms(void) {
  if (A.cfg.channel == CHANNEL_SERIAL && A.conn_fd < 0) return A.cfg.reconnect_poll_ms;
  return -1;
}

void channel_accept(void) {
  for (;;) {
    int fd = accept4(A.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) log_msg("accept: %s", strerror(errno));
      return;
    }
    /* The newest host wins: an older connection may be half-dead (its host crashed). */
    if (A.conn_fd >= 0) {
      log_debug("a new host connected; dropping the previous connection");
      dispatch_disconnect();
    }
    dispatch_connect(fd);
  }
}

static int reserve_input(size_t extra) {
  if (A.in.len + extra <= A.in.cap) return 0;
  size_t cap = A.in.cap ? A.in.cap : READ_CHUNK_BYTES;
  while (cap < A.in.len + extra) cap *= 2;
  uint8_t *d = realloc(A.in.data, cap);
  if (!d) return -1;
  A.in.data = d;
  A.in.cap = cap;
  return 0;
}

void channel_read(void) {
  /* A few reads per wakeup keep one busy host from starving the children's pipes. */
  for (int round = 0; round < 4 && A.conn_fd >= 0; round++) {
    if (reserve_input(READ_CHUNK_BYTES) < 0) {
      log_msg("out of memory reading from the host");
      dispatch_disconnect();
      return;
    }
    ssize_t n = read(A.conn_fd, A.in.data + A.in.len, READ_CHUNK_BYTES);
    if (n > 0) {
      A.in.len += (size_t)n;
      wire_decode();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) log_debug("read from host: %s", strerror(errno));
    dispatch_disconnect(); /* EOF: the host went away */
    return;
  }
}
