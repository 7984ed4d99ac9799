/*
 * The `firebreak` command's native launcher (bin/firebreak runs it once `npm run build` has compiled it).
 *
 * Why: an agent calls `firebreak claude hook` or `policy check` before every shell command, and a Node start
 * alone (~40 ms) is more than the whole answer of a running daemon (`firebreak serve`). For the sub-commands the
 * lean client serves, this program sends the call whole to the daemon's socket (POST /v1/cli: argv, working
 * directory, environment, which streams are terminals, and stdin for `claude hook`) and relays what comes back:
 * stdout and stderr bytes, then the exit status (frames: src/api/cli-frames.ts). The daemon renders the call with
 * the lean client's own code, so the output is the Node client's, byte for byte. Every other call, and any the
 * daemon passes back, runs the Node CLI (bin/firebreak.js) with the same arguments and the same stdin.
 *
 * Never twice: once the daemon has accepted a call (frame 'r') it is not started again in-process, whatever
 * happens next; before that, any failure (no socket, a stale one, a daemon without this endpoint) runs the Node CLI.
 * A signal (Ctrl-C, SIGTERM, SIGHUP) closes the connection, which makes the daemon cancel the run, and exits
 * 128 + the signal, as the Node client does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The largest frame accepted (src/api/cli-frames.ts MAX_FRAME_BYTES splits output below it). */
#define MAX_FRAME_BYTES (1u << 20)
/* The largest response head: anything bigger is not firebreak's daemon. */
#define MAX_HEAD_BYTES (64u << 10)
/* A `claude hook` event larger than this is not sent: the Node CLI reads it instead. */
#define MAX_STDIN_BYTES (64u << 20)
#define FRAME_HEAD_BYTES 5

/* The sub-commands the daemon may serve; src/client/argv.ts (run by the daemon) decides which calls of them. */
static const char *const RELAYED[] = {"run", "sh", "policy", "commands", "audit", "claude", NULL};

struct buf {
  char *data;
  size_t len, cap;
};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("firebreak: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void buf_add(struct buf *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) die("out of memory");
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* A JSON string of arbitrary bytes: quotes, backslashes and control characters escaped, other bytes as they are
 * (the daemon decodes the body as UTF-8, as Node decodes argv and the environment). */
static void buf_json(struct buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  buf_add(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      buf_add(b, esc, 2);
    } else if (c < 0x20 || c == 0x7f) {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      buf_add(b, esc, 6);
    } else {
      buf_add(b, &s[i], 1);
    }
  }
  buf_add(b, "\"", 1);
}

static void buf_base64(struct buf *b, const unsigned char *p, size_t n) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  buf_add(b, "\"", 1);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    char out[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=', i + 2 < n ? abc[v & 63] : '='};
    buf_add(b, out, 4);
  }
  buf_add(b, "\"", 1);
}

static int write_all(int fd, const void *p, size_t n, int flags) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = flags ? send(fd, c, n, flags) : write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

/* ---- the Node CLI ---- */

/* The stdin bytes already read (for `claude hook`): the Node CLI must see them first. */
static struct buf taken_stdin;
static int stdin_taken, stdin_ended;

/* Gives the Node CLI a stdin that starts with the bytes this program read, then the rest of the original: a
 * pipe filled by a detached writer process (double fork: Node never has a child it did not start). */
static void give_back_stdin(void) {
  int p[2];
  if (pipe(p) < 0) die("cannot make a pipe: %s", strerror(errno));
  pid_t child = fork();
  if (child < 0) die("cannot fork: %s", strerror(errno));
  if (child == 0) {
    if (fork() != 0) _exit(0);
    /* Not the caller's stdout or stderr: whoever reads them must see their end when Node's end. */
    close(p[0]);
    close(1);
    close(2);
    signal(SIGPIPE, SIG_IGN);
    if (write_all(p[1], taken_stdin.data, taken_stdin.len, 0) < 0 || stdin_ended) _exit(0);
    char chunk[65536];
    for (;;) {
      ssize_t r = read(0, chunk, sizeof chunk);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0 || write_all(p[1], chunk, (size_t)r, 0) < 0) _exit(0);
    }
  }
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
  }
  if (dup2(p[0], 0) < 0) die("cannot give stdin back: %s", strerror(errno));
  close(p[0]);
  close(p[1]);
}

/* Runs bin/firebreak.js (beside this program's package) with `node` from PATH, as the script's own
 * `#!/usr/bin/env node` would. */
static void run_node(int argc, char **argv) {
  static const struct sigaction dfl = {.sa_handler = SIG_DFL};
  sigaction(SIGINT, &dfl, NULL);
  sigaction(SIGTERM, &dfl, NULL);
  sigaction(SIGHUP, &dfl, NULL);
  if (stdin_taken) give_back_stdin();
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 || (size_t)n >= sizeof exe - 1) die("cannot find this program's own path: %s", strerror(errno));
  exe[n] = '\0';
  /* <package>/dist/launcher/firebreak -> <package> */
  for (int up = 0; up < 3; up++) {
    char *slash = strrchr(exe, '/');
    if (!slash) die("this launcher is not inside firebreak's package (%s)", exe);
    *slash = '\0';
  }
  struct buf script = {0};
  buf_str(&script, exe);
  buf_str(&script, "/bin/firebreak.js");
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (!args) die("out of memory");
  args[0] = "node";
  args[1] = script.data;
  for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
  execvp("node", args);
  fprintf(stderr, "firebreak: cannot run node (for %s): %s\n", script.data, strerror(errno));
  exit(127);
}

/* ---- the daemon ---- */

/* The daemon's socket, as src/paths.ts daemonPaths finds it: FIREBREAK_SOCKET, else
 * $XDG_RUNTIME_DIR/firebreak/daemon.sock, else <state dir>/run/daemon.sock. */
static int socket_path(char *out, size_t cap) {
  const char *v;
  int n;
  if ((v = getenv("FIREBREAK_SOCKET")) && *v) n = snprintf(out, cap, "%s", v);
  else if ((v = getenv("XDG_RUNTIME_DIR")) && *v) n = snprintf(out, cap, "%s/firebreak/daemon.sock", v);
  else if ((v = getenv("XDG_STATE_HOME")) && *v) n = snprintf(out, cap, "%s/firebreak/run/daemon.sock", v);
  else {
    const char *home = getenv("HOME");
    if (!home || !*home) {
      struct passwd *pw = getpwuid(getuid());
      home = pw ? pw->pw_dir : NULL;
    }
    if (!home) return 0;
    n = snprintf(out, cap, "%s/.local/state/firebreak/run/daemon.sock", home);
  }
  return n > 0 && (size_t)n < cap;
}

static int connect_daemon(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  /* Only a daemon of this user: another user able to write where the socket lives (the state dir) must not
   * answer our hooks or see our environment. The kernel's word for who listens, not the file's owner. */
  struct ucred peer;
  socklen_t len = sizeof peer;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0 ||
      peer.uid != getuid()) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Ctrl-C, SIGTERM, SIGHUP: exiting drops the connection, which makes the daemon cancel (and audit) the run. */
static void on_signal(int sig) { _exit(128 + sig); }

static int read_some(int fd, struct buf *in) {
  char chunk[65536];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) buf_add(in, chunk, (size_t)r);
    return r > 0 ? 1 : 0;
  }
}

static void read_all_stdin(void) {
  char chunk[65536];
  stdin_taken = 1;
  while (taken_stdin.len <= MAX_STDIN_BYTES) {
    ssize_t r = read(0, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      stdin_ended = 1;
      return;
    }
    buf_add(&taken_stdin, chunk, (size_t)r);
  }
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/*
 * Sends the call to the daemon and relays its answer. Exits with the call's status when the daemon took it;
 * returns when it did not (nothing ran), so that the Node CLI runs it.
 */
static void relay(int fd, const char *socket, int argc, char **argv) {
  int hook = argc >= 3 && strcmp(argv[1], "claude") == 0 && strcmp(argv[2], "hook") == 0;
  if (hook) {
    read_all_stdin();
    if (taken_stdin.len > MAX_STDIN_BYTES) return;
  }
  char *cwd = getcwd(NULL, 0);
  if (!cwd) return;
  struct buf body = {0};
  buf_str(&body, "{\"argv\":[");
  for (int i = 1; i < argc; i++) {
    if (i > 1) buf_str(&body, ",");
    buf_json(&body, argv[i], strlen(argv[i]));
  }
  buf_str(&body, "],\"cwd\":");
  buf_json(&body, cwd, strlen(cwd));
  buf_str(&body, ",\"env\":{");
  int first = 1;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) continue;
    if (!first) buf_str(&body, ",");
    first = 0;
    buf_json(&body, *e, (size_t)(eq - *e));
    buf_str(&body, ":");
    buf_json(&body, eq + 1, strlen(eq + 1));
  }
  buf_str(&body, "},\"tty\":{\"stdin\":");
  buf_str(&body, isatty(0) ? "true" : "false");
  buf_str(&body, ",\"stdout\":");
  buf_str(&body, isatty(1) ? "true" : "false");
  buf_str(&body, ",\"stderr\":");
  buf_str(&body, isatty(2) ? "true" : "false");
  buf_str(&body, "},\"socket\":");
  buf_json(&body, socket, strlen(socket));
  if (hook) {
    buf_str(&body, ",\"stdin_base64\":");
    buf_base64(&body, (const unsigned char *)taken_stdin.data, taken_stdin.len);
  }
  buf_str(&body, "}");
  char head[256];
  int hn = snprintf(head, sizeof head,
                    "POST /v1/cli HTTP/1.0\r\nHost: firebreak\r\nContent-Type: application/json\r\n"
                    "Accept: application/vnd.firebreak.cli-frames\r\nContent-Length: %zu\r\n\r\n",
                    body.len);

  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  if (write_all(fd, head, (size_t)hn, MSG_NOSIGNAL) < 0 || write_all(fd, body.data, body.len, MSG_NOSIGNAL) < 0) goto not_taken;

  /* The response head: HTTP/1.0, so the body is the frames as they are, to the end of the connection. */
  struct buf in = {0};
  char *end;
  while (!(end = in.data ? strstr(in.data, "\r\n\r\n") : NULL)) {
    if (in.len > MAX_HEAD_BYTES || !read_some(fd, &in)) goto not_taken;
  }
  int status = 0;
  if (sscanf(in.data, "HTTP/1.%*d %d", &status) != 1 || status != 200) goto not_taken;
  *end = '\0';
  if (!strcasestr(in.data, "application/vnd.firebreak.cli-frames")) goto not_taken;
  size_t at = (size_t)(end + 4 - in.data);

  int accepted = 0;
  for (;;) {
    size_t avail = in.len - at;
    if (avail >= FRAME_HEAD_BYTES) {
      uint32_t len = be32((const unsigned char *)in.data + at + 1);
      if (len > MAX_FRAME_BYTES) goto ended;
      if (avail >= FRAME_HEAD_BYTES + len) {
        unsigned char type = (unsigned char)in.data[at];
        const char *payload = in.data + at + FRAME_HEAD_BYTES;
        at += FRAME_HEAD_BYTES + len;
        if (type == 'f' && !accepted) goto not_taken;
        if (type == 'r') accepted = 1;
        else if (!accepted) goto ended; /* output before acceptance: not our daemon */
        else if (type == 'o') write_all(1, payload, len, 0);
        else if (type == 'e') write_all(2, payload, len, 0);
        else if (type == 'x' && len == 4) exit((int)(int32_t)be32((const unsigned char *)payload) & 0xff);
        else goto ended;
        continue;
      }
    }
    /* Keep the buffer small: drop what was relayed, then read more. */
    memmove(in.data, in.data + at, avail);
    in.len = avail;
    at = 0;
    if (!read_some(fd, &in)) goto ended;
  }

ended:
  if (!accepted) goto not_taken;
  close(fd);
  if (hook) {
    /* A hook must still answer: decided in-process (the event is given back), never left without a decision. */
    setenv("FIREBREAK_DAEMON", "off", 1);
    run_node(argc, argv);
  }
  fprintf(stderr, "firebreak: the daemon on %s failed: it ended the call without its exit status\n", socket);
  exit(1);

not_taken:
  close(fd);
}

static int daemon_wanted(int argc, char **argv) {
  const char *off = getenv("FIREBREAK_DAEMON");
  if (argc < 2 || (off && strcmp(off, "off") == 0)) return 0;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--no-daemon") == 0) return 0;
  for (const char *const *r = RELAYED; *r; r++)
    if (strcmp(argv[1], *r) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (daemon_wanted(argc, argv)) {
    char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
    if (socket_path(socket, sizeof socket)) {
      int fd = connect_daemon(socket);
      if (fd >= 0) relay(fd, socket, argc, argv);
    }
  }
  run_node(argc, argv);
  return 127;
}
