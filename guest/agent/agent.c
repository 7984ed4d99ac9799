/* firebreak-agent: runs inside the guest and does what the host asks over one framed byte
 * stream (PROTOCOL.md). Single-threaded: one poll() loop watches the channel, the
 * children's pipes and a self-pipe that signal handlers write to. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "channel.h"
#include "dispatch.h"
#include "files.h"
#include "jobs.h"
#include "sysops.h"
#include "wire.h"

#define MAX_POLLFDS (4 + MAX_JOBS * 3)
#define SHUTDOWN_FLUSH_MS 2000
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

agent_state A;
static volatile sig_atomic_t terminate_signal;

uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void vlog(const char *fmt, va_list ap) {
  char line[1200];
  int n = snprintf(line, sizeof line, AGENT_NAME ": ");
  vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  size_t len = strlen(line);
  line[len++] = '\n';
  ssize_t ignored = write(2, line, len);
  (void)ignored;
}

void log_msg(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(fmt, ap);
  va_end(ap);
}

void log_debug(const char *fmt, ...) {
  if (!A.cfg.verbose) return;
  va_list ap;
  va_start(ap, fmt);
  vlog(fmt, ap);
  va_end(ap);
}

int bb_append(bytebuf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
  }
  if (n) memcpy(b->data + b->len, data, n);
  b->len += n;
  return 0;
}

void bb_free(bytebuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static void on_signal(int sig) {
  int saved = errno;
  if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) terminate_signal = sig;
  char c = (char)sig;
  ssize_t ignored = write(A.wake_pipe[1], &c, 1);
  (void)ignored;
  errno = saved;
}

static int install_signals(void) {
  if (pipe2(A.wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) return -1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGCHLD, SIGIO, SIGTERM, SIGINT, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaction(sigs[i], &sa, NULL) < 0) return -1;
  signal(SIGPIPE, SIG_IGN); /* a vanished host or child shows up as EPIPE instead */
  return 0;
}

static void usage(FILE *to) {
  fprintf(to,
          "usage: " AGENT_NAME " CHANNEL [OPTIONS]\n"
          "channels (exactly one):\n"
          "  --serial PATH          virtio-serial port device (e.g. /dev/vport0p1)\n"
          "  --serial-name NAME     virtio-serial port found by name in /sys/class/virtio-ports\n"
          "  --vsock PORT           listen on AF_VSOCK port PORT\n"
          "  --listen-unix PATH     listen on a Unix socket\n"
          "  --fd N                 use the connected stream on descriptor N; EOF ends the agent\n"
          "options:\n"
          "  --tar PATH             tar program for tar_get (default: tar, from PATH)\n"
          "  --shell PATH           shell for scripts (default: /bin/sh)\n"
          "  --no-settime           refuse settime (for running on a host)\n"
          "  --no-power-off         shutdown syncs and ends the agent instead of stopping the machine\n"
          "  --shutdown-mode MODE   how shutdown stops the machine by default: reboot (default; QEMU\n"
          "                         -no-reboot and Firecracker exit on it) or poweroff (needs ACPI)\n"
          "  --reconnect-poll-ms N  serial: how often to look for a host while none is attached (default %d)\n"
          "  --verbose              log requests to stderr\n"
          "  --version\n",
          DEFAULT_RECONNECT_POLL_MS);
}

static int parse_uint(const char *s, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < 0 || v > max) return -1;
  *out = v;
  return 0;
}

static int set_channel(enum channel_mode mode) {
  if (A.cfg.channel != CHANNEL_NONE) {
    fprintf(stderr, AGENT_NAME ": give exactly one channel\n");
    return -1;
  }
  A.cfg.channel = mode;
  return 0;
}

/* Returns -1 to exit 2 (usage), 1 to exit 0 (help/version), 0 to run. */
static int parse_args(int argc, char **argv) {
  agent_config *c = &A.cfg;
  c->tar_path = "tar";
  c->shell_path = "/bin/sh";
  c->allow_settime = 1;
  c->allow_power_off = 1;
  c->shutdown_reboots = 1;
  c->reconnect_poll_ms = DEFAULT_RECONNECT_POLL_MS;
  c->fd = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
    if (!strcmp(a, "--help")) { usage(stdout); return 1; }
    if (!strcmp(a, "--version")) { printf(AGENT_NAME " %s (protocol %d)\n", AGENT_VERSION, PROTOCOL_VERSION); return 1; }
    if (!strcmp(a, "--no-settime")) { c->allow_settime = 0; continue; }
    if (!strcmp(a, "--no-power-off")) { c->allow_power_off = 0; continue; }
    if (!strcmp(a, "--verbose")) { c->verbose = 1; continue; }
    if (!v) {
      fprintf(stderr, AGENT_NAME ": unknown option or missing value: %s\n", a);
      return -1;
    }
    i++;
    if (!strcmp(a, "--serial")) { if (set_channel(CHANNEL_SERIAL)) return -1; c->serial_path = v; }
    else if (!strcmp(a, "--serial-name")) { if (set_channel(CHANNEL_SERIAL)) return -1; c->serial_name = v; }
    else if (!strcmp(a, "--vsock")) {
      if (set_channel(CHANNEL_VSOCK) || parse_uint(v, 0xFFFFFFFEL, &n)) return -1;
      c->vsock_port = (unsigned)n;
    } else if (!strcmp(a, "--listen-unix")) { if (set_channel(CHANNEL_UNIX)) return -1; c->unix_path = v; }
    else if (!strcmp(a, "--fd")) {
      if (set_channel(CHANNEL_FD) || parse_uint(v, 1 << 20, &n)) return -1;
      c->fd = (int)n;
    } else if (!strcmp(a, "--tar")) c->tar_path = v;
    else if (!strcmp(a, "--shell")) c->shell_path = v;
    else if (!strcmp(a, "--shutdown-mode")) {
      if (strcmp(v, "reboot") && strcmp(v, "poweroff")) return -1;
      c->shutdown_reboots = !strcmp(v, "reboot");
    }
    else if (!strcmp(a, "--reconnect-poll-ms")) {
      if (parse_uint(v, 60000, &n) || n == 0) return -1;
      c->reconnect_poll_ms = (int)n;
    } else {
      fprintf(stderr, AGENT_NAME ": unknown option: %s\n", a);
      return -1;
    }
  }
  if (c->channel == CHANNEL_NONE) {
    fprintf(stderr, AGENT_NAME ": no channel given\n");
    return -1;
  }
  return 0;
}

/* Children's stdio must never land on descriptors 0-2 by accident: keep them open. */
static void ensure_std_fds(void) {
  for (int fd = 0; fd < 3; fd++) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    int n = open("/dev/null", O_RDWR);
    if (n >= 0 && n != fd) {
      dup2(n, fd);
      close(n);
    }
  }
}

static int min_timeout(int a, int b) {
  if (a < 0) return b;
  if (b < 0) return a;
  return a < b ? a : b;
}

static void drain_wake_pipe(void) {
  char buf[64];
  while (read(A.wake_pipe[0], buf, sizeof buf) > 0) {
  }
}

/* Sends what is queued (the shutdown reply) before the agent goes away. */
static void flush_before_exit(void) {
  uint64_t give_up = now_ms() + SHUTDOWN_FLUSH_MS;
  while (A.conn_fd >= 0 && outq_pending() > 0 && now_ms() < give_up) {
    if (wire_flush() < 0) break;
    struct pollfd p = {A.conn_fd, POLLOUT, 0};
    poll(&p, 1, 50);
  }
}

static void run_loop(void) {
  struct pollfd fds[MAX_POLLFDS];
  int owner[MAX_POLLFDS];
  while (!A.quit) {
    size_t n = 0;
    fds[n++] = (struct pollfd){A.wake_pipe[0], POLLIN, 0};
    size_t listen_at = n;
    fds[n++] = (struct pollfd){A.listen_fd, POLLIN, 0}; /* fd -1 is ignored by poll */
    size_t conn_at = n;
    short conn_events = (short)((A.shutdown_requested ? 0 : POLLIN) | (outq_pending() ? POLLOUT : 0));
    fds[n++] = (struct pollfd){A.conn_fd, conn_events, 0};
    size_t jobs_at = n;
    n += jobs_collect_pollfds(fds + n, owner + n, MAX_POLLFDS - n);

    int timeout = min_timeout(jobs_next_timeout_ms(), channel_next_timeout_ms());
    if (files_get_pending() && outq_below_high_water()) timeout = 0;
    if (A.shutdown_requested) timeout = 0;
    if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR) {
      log_msg("poll: %s", strerror(errno));
      return;
    }

    if (fds[0].revents) drain_wake_pipe();
    if (terminate_signal) {
      log_msg("terminating on signal %d", (int)terminate_signal);
      return;
    }
    jobs_reap();
    channel_check_serial();
    for (size_t i = jobs_at; i < n; i++) jobs_handle_pollfd(owner[i], &fds[i]);
    files_pump();
    jobs_tick();
    if (A.conn_fd >= 0 && A.conn_fd == fds[conn_at].fd && (fds[conn_at].revents & POLLOUT) && wire_flush() < 0)
      dispatch_disconnect();
    if (A.conn_fd >= 0 && A.conn_fd == fds[conn_at].fd && !A.shutdown_requested &&
        (fds[conn_at].revents & (POLLIN | POLLHUP | POLLERR)))
      channel_read();
    if (A.listen_fd >= 0 && (fds[listen_at].revents & POLLIN)) channel_accept();
    if (A.conn_fd >= 0 && outq_pending() && wire_flush() < 0) dispatch_disconnect();
    if (A.shutdown_requested) {
      flush_before_exit();
      return;
    }
  }
}

int main(int argc, char **argv) {
  A.listen_fd = A.conn_fd = A.serial_fd = -1;
  A.wake_pipe[0] = A.wake_pipe[1] = -1;
  int parsed = parse_args(argc, argv);
  if (parsed != 0) {
    if (parsed < 0) usage(stderr);
    return parsed < 0 ? 2 : 0;
  }
  ensure_std_fds();
  if (install_signals() < 0) {
    log_msg("cannot install signal handlers: %s", strerror(errno));
    return 1;
  }
  /* Orphaned grandchildren of a command are re-parented here, so they get reaped. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (!getenv("PATH")) setenv("PATH", DEFAULT_PATH, 1);
  if (channel_open() < 0) return 1;
  log_debug("ready");
  run_loop();
  int shutdown = A.shutdown_requested;
  jobs_kill_all();
  files_abort_all();
  channel_close();
  if (shutdown) sysop_power_off(shutdown == 2);
  return terminate_signal ? 128 + (int)terminate_signal : 0;
}
