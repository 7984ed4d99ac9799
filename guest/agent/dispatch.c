#define _GNU_SOURCE
#include "dispatch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "files.h"
#include "jobs.h"
#include "signals.h"
#include "sysops.h"
#include "walk.h"
#include "wire.h"

#define MAX_ID ((int64_t)1 << 53) /* exact in a JavaScript number */
#define MAX_ARGV 4096
#define MAX_ENV 4096
#define MAX_TIMEOUT_MS ((int64_t)7 * 24 * 3600 * 1000)

extern char **environ;

static const char *const CAPABILITIES[] = {"exec", "kill", "stdin-stream", "rlimits", "put", "get", "tar_put",
                                           "tar_get", "walk", "sync", "settime", "reseed", "shutdown", "ping"};

static uint64_t clock_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void send_hello(uint64_t id) {
  struct utsname u;
  const char *caps[sizeof CAPABILITIES / sizeof CAPABILITIES[0]];
  size_t ncaps = 0;
  for (size_t i = 0; i < sizeof CAPABILITIES / sizeof CAPABILITIES[0]; i++) {
    if (!A.cfg.allow_settime && strcmp(CAPABILITIES[i], "settime") == 0) continue;
    caps[ncaps++] = CAPABILITIES[i];
  }
  json_writer w;
  reply_begin(&w, "hello", id);
  jw_string(&w, "agent", AGENT_NAME);
  jw_string(&w, "version", AGENT_VERSION);
  jw_int(&w, "protocol", PROTOCOL_VERSION);
  jw_string_array(&w, "capabilities", caps, ncaps);
  jw_int(&w, "max_header_bytes", MAX_HEADER_BYTES);
  jw_int(&w, "max_payload_bytes", MAX_PAYLOAD_BYTES);
  jw_int(&w, "pid", getpid());
  jw_int(&w, "uptime_ms", (int64_t)clock_ms(CLOCK_BOOTTIME));
  jw_int(&w, "time_ms", (int64_t)clock_ms(CLOCK_REALTIME));
  if (uname(&u) == 0) jw_string(&w, "kernel", u.release);
  send_reply(&w, NULL, 0);
}

void dispatch_connect(int fd) {
  wire_reset();
  A.conn_fd = fd;
  log_debug("host connected");
  send_hello(0);
}

void dispatch_disconnect(void) {
  if (A.conn_fd < 0) return;
  log_debug("host disconnected");
  jobs_kill_all();
  files_abort_all();
  if (A.cfg.channel != CHANNEL_SERIAL) close(A.conn_fd);
  A.conn_fd = -1;
  wire_reset();
  if (A.cfg.channel == CHANNEL_FD) A.quit = 1;
}

/* ---- exec ---- */

typedef struct {
  char **argv;
  char **envp;
  size_t envc;
} exec_strings;

static void free_strings(exec_strings *s) {
  if (s->argv)
    for (char **p = s->argv; *p; p++) free(*p);
  free(s->argv);
  if (s->envp)
    for (size_t i = 0; i < s->envc; i++) free(s->envp[i]);
  free(s->envp);
}

static int is_c_string(const json_value *v) { return v->type == JSON_STRING && strlen(v->str) == v->str_len; }

static const char *build_argv(const json_value *h, exec_strings *s) {
  const json_value *argv = json_get(h, "argv");
  const char *script;
  size_t script_len;
  int has_script = json_get_string(h, "script", &script, &script_len);
  if (has_script < 0) return "'script' must be a string";
  if ((argv && argv->type != JSON_NULL) == (has_script == 1)) return "exec needs exactly one of 'argv' and 'script'";
  if (has_script == 1) {
    if (strlen(script) != script_len) return "'script' contains a NUL byte";
    s->argv = calloc(4, sizeof *s->argv);
    if (!s->argv) return "out of memory";
    s->argv[0] = strdup(A.cfg.shell_path);
    s->argv[1] = strdup("-c");
    s->argv[2] = strdup(script);
    if (!s->argv[0] || !s->argv[1] || !s->argv[2]) return "out of memory";
    return NULL;
  }
  if (argv->type != JSON_ARRAY || argv->count == 0 || argv->count > MAX_ARGV)
    return "'argv' must be a non-empty array of strings";
  s->argv = calloc(argv->count + 1, sizeof *s->argv);
  if (!s->argv) return "out of memory";
  size_t i = 0;
  for (const json_value *a = argv->child; a; a = a->next) {
    if (!is_c_string(a)) return "'argv' must hold strings without NUL bytes";
    if (!(s->argv[i++] = strdup(a->str))) return "out of memory";
  }
  if (s->argv[0][0] == '\0') return "'argv[0]' is empty";
  return NULL;
}

static const char *set_env(exec_strings *s, const char *key, size_t key_len, const char *value) {
  char *entry;
  if (asprintf(&entry, "%.*s=%s", (int)key_len, key, value) < 0) return "out of memory";
  for (size_t i = 0; i < s->envc; i++) {
    if (strncmp(s->envp[i], key, key_len) == 0 && s->envp[i][key_len] == '=') {
      free(s->envp[i]);
      s->envp[i] = entry;
      return NULL;
    }
  }
  s->envp[s->envc++] = entry;
  return NULL;
}

static const char *build_env(const json_value *h, exec_strings *s) {
  int clear = 0;
  if (json_get_bool(h, "clear_env", &clear) < 0) return "'clear_env' must be a boolean";
  const json_value *env = json_get(h, "env");
  if (env && env->type != JSON_NULL && (env->type != JSON_OBJECT || env->count > MAX_ENV))
    return "'env' must be an object of strings";
  size_t base = 0;
  if (!clear)
    while (environ[base]) base++;
  size_t extra = env && env->type == JSON_OBJECT ? env->count : 0;
  s->envp = calloc(base + extra + 1, sizeof *s->envp);
  if (!s->envp) return "out of memory";
  for (size_t i = 0; i < base; i++) {
    if (!(s->envp[i] = strdup(environ[i]))) return "out of memory";
    s->envc++;
  }
  for (const json_value *m = extra ? env->child : NULL; m; m = m->next) {
    size_t key_len = strlen(m->key);
    if (key_len == 0 || strchr(m->key, '=')) return "'env' names must be non-empty and free of '='";
    if (!is_c_string(m)) return "'env' values must be strings without NUL bytes";
    const char *err = set_env(s, m->key, key_len, m->str);
    if (err) return err;
  }
  return NULL;
}

static const char *read_limits(const json_value *h, exec_limits *l) {
  *l = (exec_limits){-1, -1, -1, -1, -1};
  const json_value *r = json_get(h, "rlimits");
  if (r && r->type != JSON_NULL) {
    if (r->type != JSON_OBJECT) return "'rlimits' must be an object";
    const int64_t max = (int64_t)1 << 52;
    if (json_get_int(r, "cpu_s", 1, max, &l->cpu_s) < 0) return "'rlimits.cpu_s' must be a positive integer";
    if (json_get_int(r, "fsize_bytes", 0, max, &l->fsize_bytes) < 0)
      return "'rlimits.fsize_bytes' must be a non-negative integer";
    if (json_get_int(r, "nproc", 1, max, &l->nproc) < 0) return "'rlimits.nproc' must be a positive integer";
  }
  if (json_get_int(h, "uid", 0, 0x7FFFFFFF, &l->uid) < 0) return "'uid' must be a non-negative integer";
  if (json_get_int(h, "gid", 0, 0x7FFFFFFF, &l->gid) < 0) return "'gid' must be a non-negative integer";
  return NULL;
}

static void handle_exec(uint64_t id, const json_value *h, const uint8_t *payload, size_t len) {
  exec_strings s = {0};
  spawn_request req = {0};
  const char *stdin_mode = "null";
  int more = 0;
  int64_t timeout_ms = 0;
  const char *cwd = NULL;
  size_t cwd_len = 0;
  const char *bad = build_argv(h, &s);
  if (!bad) bad = build_env(h, &s);
  if (!bad) bad = read_limits(h, &req.limits);
  if (!bad && json_get_string(h, "stdin", &stdin_mode, NULL) < 0) bad = "'stdin' must be \"null\" or \"pipe\"";
  if (!bad && strcmp(stdin_mode, "null") != 0 && strcmp(stdin_mode, "pipe") != 0)
    bad = "'stdin' must be \"null\" or \"pipe\"";
  if (!bad && json_get_bool(h, "more", &more) < 0) bad = "'more' must be a boolean";
  if (!bad && strcmp(stdin_mode, "null") == 0 && (more || len)) bad = "stdin bytes sent with \"stdin\": \"null\"";
  if (!bad && json_get_int(h, "timeout_ms", 0, MAX_TIMEOUT_MS, &timeout_ms) < 0)
    bad = "'timeout_ms' must be a non-negative integer";
  if (!bad && json_get_string(h, "cwd", &cwd, &cwd_len) < 0) bad = "'cwd' must be a string";
  if (!bad && cwd && strlen(cwd) != cwd_len) bad = "'cwd' contains a NUL byte";
  if (bad) {
    reply_error(id, "bad_request", "%s", bad);
    free_strings(&s);
    return;
  }
  req.argv = s.argv;
  req.envp = s.envp;
  req.cwd = cwd;
  req.stdin_pipe = strcmp(stdin_mode, "pipe") == 0;
  req.timeout_ms = (uint64_t)timeout_ms;
  char err[600];
  job *j = job_start(id, JOB_EXEC, &req, NULL, err, sizeof err);
  free_strings(&s);
  if (!j) {
    reply_error(id, "spawn_failed", "%s", err);
    return;
  }
  json_writer w;
  reply_begin(&w, "started", id);
  jw_int(&w, "pid", j->pid);
  send_reply(&w, NULL, 0);
  if (req.stdin_pipe) job_feed(j, payload, len, 0, !more);
}

/* ---- tar ---- */

static void handle_tar(uint64_t id, const json_value *h, const uint8_t *payload, size_t len, int put) {
  const char *dir;
  size_t dir_len;
  int more = 0, list = 0;
  if (json_get_string(h, "dir", &dir, &dir_len) != 1 || !path_ok(dir, dir_len)) {
    reply_error(id, "bad_request", "%s needs an absolute 'dir'", put ? "tar_put" : "tar_get");
    return;
  }
  if (json_get_bool(h, "more", &more) < 0 || json_get_bool(h, "list", &list) < 0) {
    reply_error(id, "bad_request", "'more' and 'list' must be booleans");
    return;
  }
  if (!put && (more || len)) {
    reply_error(id, "bad_request", "tar_get takes no payload");
    return;
  }
  if (put && make_dirs(dir, 0755) < 0) {
    reply_error(id, "io", "creating %s: %s", dir, strerror(errno));
    return;
  }
  if (put) {
    files_untar(id, dir, list, payload, len, more);
    return;
  }
  char *get_argv[] = {(char *)A.cfg.tar_path, "-c", "-f", "-", "-C", (char *)dir, ".", NULL};
  spawn_request req = {0};
  req.argv = get_argv;
  req.envp = environ;
  req.cwd = "/";
  req.limits = (exec_limits){-1, -1, -1, -1, -1};
  char err[600];
  job *j = job_start(id, JOB_TAR_GET, &req, dir, err, sizeof err);
  if (!j) reply_error(id, "spawn_failed", "%s", err);
}

/* ---- small requests ---- */

static void handle_data(uint64_t id, const json_value *h, const uint8_t *payload, size_t len) {
  int eof = 0;
  if (json_get_bool(h, "eof", &eof) < 0) {
    reply_error(id, "bad_request", "'eof' must be a boolean");
    return;
  }
  job *j = job_find(id);
  if (j && j->kind != JOB_TAR_GET && !j->in_eof) {
    job_feed(j, payload, len, 1, eof);
    return;
  }
  transfer *t = transfer_find(id);
  if (t) {
    transfer_feed(t, payload, len, eof);
    return;
  }
  reply_error(id, "unknown_id", "no request %llu is waiting for data", (unsigned long long)id);
}

static void handle_kill(uint64_t id, const json_value *h) {
  int64_t target;
  int sig = SIGKILL;
  const json_value *s = json_get(h, "signal");
  if (json_get_int(h, "target", 1, MAX_ID, &target) != 1) {
    reply_error(id, "bad_request", "kill needs 'target', the id of a running exec");
    return;
  }
  if (s && s->type == JSON_STRING) sig = is_c_string(s) ? signal_parse(s->str) : 0;
  else if (s && s->type == JSON_NUMBER) sig = (s->number >= 1 && s->number < NSIG) ? (int)s->number : 0;
  else if (s && s->type != JSON_NULL) sig = 0;
  if (sig == 0) {
    reply_error(id, "bad_request", "unknown signal");
    return;
  }
  job *j = job_find((uint64_t)target);
  if (!j) {
    reply_error(id, "unknown_id", "no running request %lld", (long long)target);
    return;
  }
  job_signal(j, sig);
  reply_ok(id);
}

/* `reset`: "I am a new host". On virtio-serial the agent cannot always see a quick
 * disconnect/reconnect, so the new host says so: what the old host left running is killed
 * and output queued for it is dropped (possibly mid-frame: the host syncs on this hello). */
static void handle_hello(uint64_t id, const json_value *h) {
  int reset = 0;
  if (json_get_bool(h, "reset", &reset) < 0) {
    reply_error(id, "bad_request", "'reset' must be a boolean");
    return;
  }
  if (reset) {
    log_debug("hello with reset: dropping the previous host's jobs and output");
    jobs_kill_all();
    files_abort_all();
    A.out.len = A.out_head = 0;
  }
  send_hello(id);
}

static void handle_shutdown(uint64_t id, const json_value *h) {
  const char *mode = A.cfg.shutdown_reboots ? "reboot" : "poweroff";
  if (json_get_string(h, "mode", &mode, NULL) < 0 || (strcmp(mode, "reboot") && strcmp(mode, "poweroff"))) {
    reply_error(id, "bad_request", "'mode' must be \"reboot\" or \"poweroff\"");
    return;
  }
  reply_ok(id);
  A.shutdown_requested = strcmp(mode, "reboot") == 0 ? 2 : 1;
}

void dispatch_frame(const uint8_t *header, size_t header_len, const uint8_t *payload, size_t payload_len) {
  json_arena arena = {0};
  const char *err = NULL;
  json_value *h = json_parse((const char *)header, header_len, &arena, &err);
  int64_t id = 0;
  const char *type;
  if (!h || h->type != JSON_OBJECT) {
    reply_error(0, "bad_frame", "header is not a JSON object: %s", h ? "wrong type" : err);
    goto done;
  }
  if (json_get_int(h, "id", 1, MAX_ID, &id) != 1) {
    reply_error(0, "bad_request", "'id' must be an integer 1..2^53");
    goto done;
  }
  if (json_get_string(h, "type", &type, NULL) != 1) {
    reply_error((uint64_t)id, "bad_request", "'type' must be a string");
    goto done;
  }
  uint64_t uid = (uint64_t)id;
  int takes_payload = !strcmp(type, "exec") || !strcmp(type, "data") || !strcmp(type, "put") ||
                      !strcmp(type, "tar_put") || !strcmp(type, "reseed");
  if (payload_len && !takes_payload) {
    reply_error(uid, "bad_request", "'%s' takes no payload", type);
    goto done;
  }
  int starts_request = !!strcmp(type, "data");
  if (starts_request && (job_find(uid) || transfer_find(uid))) {
    reply_error(uid, "bad_request", "id %llu is already in use", (unsigned long long)uid);
    goto done;
  }
  log_debug("request %llu %s", (unsigned long long)uid, type);
  if (!strcmp(type, "hello")) handle_hello(uid, h);
  else if (!strcmp(type, "ping")) {
    json_writer w;
    reply_begin(&w, "pong", uid);
    send_reply(&w, NULL, 0);
  } else if (!strcmp(type, "exec")) handle_exec(uid, h, payload, payload_len);
  else if (!strcmp(type, "data")) handle_data(uid, h, payload, payload_len);
  else if (!strcmp(type, "kill")) handle_kill(uid, h);
  else if (!strcmp(type, "put")) files_put(uid, h, payload, payload_len);
  else if (!strcmp(type, "get")) files_get(uid, h);
  else if (!strcmp(type, "tar_put")) handle_tar(uid, h, payload, payload_len, 1);
  else if (!strcmp(type, "tar_get")) handle_tar(uid, h, payload, payload_len, 0);
  else if (!strcmp(type, "walk")) walk_dir(uid, h);
  else if (!strcmp(type, "sync")) sysop_sync(uid);
  else if (!strcmp(type, "settime")) sysop_settime(uid, h);
  else if (!strcmp(type, "reseed")) sysop_reseed(uid, payload, payload_len);
  else if (!strcmp(type, "shutdown")) handle_shutdown(uid, h); else reply_error(uid, "unknown_type", "unknown request type '%s'", type);
done:
  json_arena_free(&arena);
}
