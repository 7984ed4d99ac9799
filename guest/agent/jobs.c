#define _GNU_SOURCE
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"
#include "wire.h"

/* Poll owner tags: job index * 4 + which fd. */
enum { FD_IN = 0, FD_OUT = 1, FD_ERR = 2 };

job *job_find(uint64_t id) {
  for (int i = 0; i < MAX_JOBS; i++)
    if (A.jobs[i].used && A.jobs[i].id == id) return &A.jobs[i];
  return NULL;
}

int jobs_active(void) {
  int n = 0;
  for (int i = 0; i < MAX_JOBS; i++) n += A.jobs[i].used;
  return n;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* In the child: report why starting failed through the close-on-exec pipe, then exit. */
__attribute__((noreturn)) static void child_fail(int err_fd, const char *what, const char *arg) {
  int e = errno;
  char msg[512];
  int n = snprintf(msg, sizeof msg, "%s%s%s: %s", what, arg ? " " : "", arg ? arg : "", strerror(e));
  if (n > 0) {
    ssize_t ignored = write(err_fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    (void)ignored;
  }
  _exit(127);
}

static int set_limit(int resource, int64_t soft, int64_t hard) {
  struct rlimit rl = {(rlim_t)soft, (rlim_t)hard};
  return setrlimit(resource, &rl);
}

/* execvp with the command's own PATH (from envp, not the agent's environ: the child shares the agent's
 * memory until exec, so it must not assign `environ`). Same search as musl's execvp. Returns only on failure. */
static void exec_with_path(char *const argv[], char *const envp[]) {
  const char *file = argv[0];
  if (strchr(file, '/')) {
    execve(file, argv, envp);
    return;
  }
  const char *path = "/usr/local/bin:/bin:/usr/bin";
  for (char *const *e = envp; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) {
      path = *e + 5;
      break;
    }
  size_t file_len = strlen(file);
  int denied = 0;
  char buf[4096];
  for (const char *p = path;;) {
    const char *end = strchrnul(p, ':');
    size_t dir_len = (size_t)(end - p);
    if (dir_len + 1 + file_len + 1 <= sizeof buf) {
      memcpy(buf, p, dir_len);
      buf[dir_len] = '/';
      memcpy(buf + dir_len + (dir_len > 0), file, file_len + 1);
      execve(buf, argv, envp);
      if (errno == EACCES) denied = 1;
      else if (errno != ENOENT && errno != ENOTDIR) return;
    }
    if (!*end) break;
    p = end + 1;
  }
  errno = denied ? EACCES : ENOENT;
}

/* Runs in the vfork child, on the agent's memory: it may only make system calls and write to its own stack
 * until exec (or _exit). Signals are blocked on entry (see job_start). */
__attribute__((noreturn)) static void run_child(const spawn_request *req, int in_fd, int out_fd, int err_fd, int status_fd) {
  /* The agent ignores SIGPIPE and catches others; a command starts with defaults. Dispositions are the child's
   * own (vfork shares memory, not the signal table), so this does not touch the agent's. */
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  if (setsid() < 0) child_fail(status_fd, "setsid", NULL);
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) child_fail(status_fd, "dup2", NULL);
  const exec_limits *l = &req->limits;
  /* The hard CPU limit is one second above the soft one: SIGXCPU first, then SIGKILL. */
  if (l->cpu_s >= 0 && set_limit(RLIMIT_CPU, l->cpu_s, l->cpu_s + 1) < 0) child_fail(status_fd, "setrlimit", "cpu");
  if (l->fsize_bytes >= 0 && set_limit(RLIMIT_FSIZE, l->fsize_bytes, l->fsize_bytes) < 0)
    child_fail(status_fd, "setrlimit", "fsize");
  if (l->nproc >= 0 && set_limit(RLIMIT_NPROC, l->nproc, l->nproc) < 0) child_fail(status_fd, "setrlimit", "nproc");
  if (l->gid >= 0) {
    gid_t gid = (gid_t)l->gid;
    if (setgroups(1, &gid) < 0 || setgid(gid) < 0) child_fail(status_fd, "setgid", NULL);
  }
  if (l->uid >= 0 && setuid((uid_t)l->uid) < 0) child_fail(status_fd, "setuid", NULL);
  /* After dropping privileges, so a command cannot start where its user may not go. */
  if (req->cwd && chdir(req->cwd) < 0) child_fail(status_fd, "chdir", req->cwd);
  exec_with_path(req->argv, req->envp);
  child_fail(status_fd, "exec", req->argv[0]);
}

/* Its own frame (not inlined), so nothing of job_start's lives across the vfork. */
__attribute__((noinline)) static pid_t spawn_child(const spawn_request *req, int in_fd, int out_fd, int err_fd, int status_fd) {
  pid_t pid = vfork();
  if (pid == 0) run_child(req, in_fd, out_fd, err_fd, status_fd);
  return pid;
}

static int make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) < 0) return -1;
  return 0;
}

static void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

job *job_start(uint64_t id, enum job_kind kind, const spawn_request *req, const char *dir, char *err, size_t err_len) {
  job *j = NULL;
  for (int i = 0; i < MAX_JOBS; i++)
    if (!A.jobs[i].used) {
      j = &A.jobs[i];
      break;
    }
  if (!j) {
    snprintf(err, err_len, "too many running jobs (limit %d)", MAX_JOBS);
    return NULL;
  }
  int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1}, status[2] = {-1, -1};
  int ok = make_pipe(out) == 0 && make_pipe(errp) == 0 && make_pipe(status) == 0;
  if (ok) {
    if (req->stdin_pipe) ok = make_pipe(in) == 0;
    else ok = (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;
  }
  if (!ok) {
    snprintf(err, err_len, "cannot create pipes: %s", strerror(errno));
    int all[] = {in[0], in[1], out[0], out[1], errp[0], errp[1], status[0], status[1]};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
      if (all[k] >= 0) close(all[k]);
    return NULL;
  }
  /* vfork, not fork: under TCG, copying the agent's page tables and the copy-on-write faults after a fork cost
   * ~3 ms per command (measured: fork to exec-success 4.5-5.5 ms, vfork 1.6-1.8 ms). The agent is suspended until
   * the child has exec'd or exited, so the status pipe below is already final when it is read. Signals stay
   * blocked across the call so no agent handler runs in the child on the shared memory. */
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  pid_t pid = spawn_child(req, in[0], out[1], errp[1], status[1]);
  int fork_errno = errno;
  sigprocmask(SIG_SETMASK, &old, NULL);
  close(in[0]);
  close(out[1]);
  close(errp[1]);
  close(status[1]);
  if (pid < 0) {
    snprintf(err, err_len, "vfork: %s", strerror(fork_errno));
    close(status[0]);
    if (in[1] >= 0) close(in[1]);
    close(out[0]);
    close(errp[0]);
    return NULL;
  }
  /* EOF on the status pipe means exec succeeded (close-on-exec); bytes are the reason it failed. */
  char why[512];
  size_t got = 0;
  for (;;) {
    ssize_t n = read(status[0], why + got, sizeof why - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
    if (got == sizeof why - 1) break;
  }
  close(status[0]);
  if (got > 0) {
    why[got] = '\0';
    snprintf(err, err_len, "%s", why);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (in[1] >= 0) close(in[1]);
    close(out[0]);
    close(errp[0]);
    return NULL;
  }
  memset(j, 0, sizeof *j);
  j->used = 1;
  j->id = id;
  j->kind = kind;
  j->pid = pid;
  j->fd_in = in[1];
  j->in_eof = !req->stdin_pipe;
  j->fd_out = out[0];
  j->fd_err = errp[0];
  if (j->fd_in >= 0) set_nonblocking(j->fd_in);
  set_nonblocking(j->fd_out);
  set_nonblocking(j->fd_err);
  j->started_ms = now_ms();
  j->deadline_ms = req->timeout_ms ? j->started_ms + req->timeout_ms : 0;
  if (dir) snprintf(j->dir, sizeof j->dir, "%s", dir);
  log_debug("job %llu started pid %d", (unsigned long long)id, (int)pid);
  return j;
}

static void send_ack(job *j) {
  if (!j->in_unacked) return;
  json_writer w;
  reply_begin(&w, "ack", j->id);
  jw_int(&w, "bytes", (int64_t)j->in_unacked);
  send_reply(&w, NULL, 0);
  j->in_unacked = 0;
}

/* Input that can no longer reach the child (it closed stdin or exited) is discarded, and
 * acknowledged, so the host's sender never waits forever. */
static void drop_input(job *j) {
  close_fd(&j->fd_in);
  j->in_pending.len = j->in_head = 0;
  send_ack(j);
}

static void write_input(job *j) {
  while (j->fd_in >= 0 && j->in_head < j->in_pending.len) {
    ssize_t n = write(j->fd_in, j->in_pending.data + j->in_head, j->in_pending.len - j->in_head);
    if (n > 0) {
      j->in_head += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    drop_input(j); /* EPIPE: the child closed its stdin */
    return;
  }
  j->in_pending.len = j->in_head = 0;
  send_ack(j);
  if (j->in_eof) close_fd(&j->fd_in);
}

void job_feed(job *j, const void *data, size_t n, int counted, int eof) {
  if (counted) j->in_unacked += n;
  if (eof) j->in_eof = 1;
  if (j->fd_in < 0) {
    send_ack(j);
    return;
  }
  if (j->in_pending.len - j->in_head + n > STDIN_BUFFER_LIMIT_BYTES) {
    reply_error(j->id, "too_large", "more than %u bytes of unacknowledged stdin", STDIN_BUFFER_LIMIT_BYTES);
    drop_input(j);
    return;
  }
  if (n && bb_append(&j->in_pending, data, n) < 0) {
    reply_error(j->id, "io", "out of memory buffering stdin");
    drop_input(j);
    return;
  }
  write_input(j);
}

void job_signal(job *j, int sig) {
  if (!j->reaped || kill(-j->pid, 0) == 0) kill(-j->pid, sig);
}

size_t jobs_collect_pollfds(struct pollfd *fds, int *owner, size_t max) {
  size_t n = 0;
  int may_read = outq_below_high_water();
  for (int i = 0; i < MAX_JOBS && n + 3 <= max; i++) {
    job *j = &A.jobs[i];
    if (!j->used) continue;
    if (j->fd_in >= 0 && j->in_head < j->in_pending.len) {
      fds[n] = (struct pollfd){j->fd_in, POLLOUT, 0};
      owner[n++] = i * 4 + FD_IN;
    }
    if (may_read && j->fd_out >= 0) {
      fds[n] = (struct pollfd){j->fd_out, POLLIN, 0};
      owner[n++] = i * 4 + FD_OUT;
    }
    if (may_read && j->fd_err >= 0) {
      fds[n] = (struct pollfd){j->fd_err, POLLIN, 0};
      owner[n++] = i * 4 + FD_ERR;
    }
  }
  return n;
}

static void capture(job *j, const uint8_t *data, size_t n) {
  size_t room = CAPTURE_LIMIT_BYTES > j->capture.len ? CAPTURE_LIMIT_BYTES - j->capture.len : 0;
  bb_append(&j->capture, data, n < room ? n : room);
}

static void forward_output(job *j, int which, const uint8_t *data, size_t n) {
  json_writer w;
  if (j->kind == JOB_EXEC) {
    reply_begin(&w, "output", j->id);
    jw_string(&w, "stream", which == FD_OUT ? "stdout" : "stderr");
    send_reply(&w, data, n);
    if (which == FD_OUT) j->out_bytes += n;
    else j->err_bytes += n;
  } else if (j->kind == JOB_TAR_GET && which == FD_OUT) {
    reply_begin(&w, "data", j->id);
    send_reply(&w, data, n);
    j->out_bytes += n;
  } else {
    capture(j, data, n);
  }
}

static void read_output(job *j, int which) {
  static uint8_t buf[OUTPUT_CHUNK_BYTES];
  int *fd = which == FD_OUT ? &j->fd_out : &j->fd_err;
  for (;;) {
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
      forward_output(j, which, buf, (size_t)n);
      if (!outq_below_high_water() || (size_t)n < sizeof buf) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close_fd(fd); /* EOF or error */
    return;
  }
}

void jobs_handle_pollfd(int owner, const struct pollfd *pfd) {
  job *j = &A.jobs[owner / 4];
  int which = owner % 4;
  if (!j->used || !pfd->revents) return;
  if (which == FD_IN) {
    if (j->fd_in != pfd->fd) return;
    if (pfd->revents & (POLLERR | POLLHUP)) drop_input(j);
    else write_input(j);
  } else {
    int fd = which == FD_OUT ? j->fd_out : j->fd_err;
    if (fd == pfd->fd) read_output(j, which);
  }
}

static job *job_by_pid(pid_t pid) {
  for (int i = 0; i < MAX_JOBS; i++)
    if (A.jobs[i].used && !A.jobs[i].reaped && A.jobs[i].pid == pid) return &A.jobs[i];
  return NULL;
}

void jobs_reap(void) {
  int status;
  pid_t pid;
  /* The agent is a child subreaper: orphaned grandchildren land here too and are reaped. */
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    job *j = job_by_pid(pid);
    if (!j) continue;
    j->reaped = 1;
    j->status = status;
    j->finish_by_ms = now_ms() + REAP_GRACE_MS;
    /* The command is over: whatever it left running in its group goes with it. */
    kill(-j->pid, SIGKILL);
    if (j->fd_in >= 0) drop_input(j);
    log_debug("job %llu pid %d exited, status 0x%x", (unsigned long long)j->id, (int)pid, status);
  }
}

static int group_alive(pid_t pgid) { return kill(-pgid, 0) == 0 || errno != ESRCH; }

static void release(job *j) {
  close_fd(&j->fd_in);
  close_fd(&j->fd_out);
  close_fd(&j->fd_err);
  bb_free(&j->in_pending);
  bb_free(&j->capture);
  j->used = 0;
}

static void report_tar(job *j, int ok_status) {
  if (ok_status) {
    json_writer w;
    reply_begin(&w, "ok", j->id);
    if (j->kind == JOB_TAR_GET) jw_int(&w, "bytes", (int64_t)j->out_bytes);
    send_reply(&w, NULL, 0);
    return;
  }
  const char *what = j->kind == JOB_TAR_GET ? "archiving" : "extracting into";
  int code = WIFEXITED(j->status) ? WEXITSTATUS(j->status) : -1;
  reply_error(j->id, "tar_failed", "tar %s %s failed (status %d): %.*s", what, j->dir, code, (int)j->capture.len,
              (const char *)j->capture.data);
}

static void finish(job *j) {
  uint64_t duration = now_ms() - j->started_ms;
  if (j->kind == JOB_EXEC) {
    json_writer w;
    reply_begin(&w, "exit", j->id);
    if (WIFEXITED(j->status)) {
      jw_int(&w, "code", WEXITSTATUS(j->status));
      jw_null(&w, "signal");
    } else {
      int sig = WTERMSIG(j->status);
      const char *name = signal_name(sig);
      char fallback[16];
      if (!name) {
        snprintf(fallback, sizeof fallback, "%d", sig);
        name = fallback;
      }
      jw_null(&w, "code");
      jw_string(&w, "signal", name);
      jw_int(&w, "signal_number", sig);
    }
    jw_int(&w, "duration_ms", (int64_t)duration);
    jw_bool(&w, "timed_out", j->timed_out);
    jw_int(&w, "stdout_bytes", (int64_t)j->out_bytes);
    jw_int(&w, "stderr_bytes", (int64_t)j->err_bytes);
    send_reply(&w, NULL, 0);
  } else {
    report_tar(j, WIFEXITED(j->status) && WEXITSTATUS(j->status) == 0 && !j->timed_out);
  }
  log_debug("job %llu finished after %llu ms", (unsigned long long)j->id, (unsigned long long)duration);
  release(j);
}

void jobs_tick(void) {
  uint64_t now = now_ms();
  for (int i = 0; i < MAX_JOBS; i++) {
    job *j = &A.jobs[i];
    if (!j->used) continue;
    if (!j->reaped) {
      if (j->deadline_ms && now >= j->deadline_ms) {
        log_debug("job %llu timed out; killing its process group", (unsigned long long)j->id);
        kill(-j->pid, SIGKILL);
        j->timed_out = 1;
        j->deadline_ms = 0;
      }
      continue;
    }
    int alive = group_alive(j->pid);
    if (alive) kill(-j->pid, SIGKILL);
    int pipes_open = j->fd_out >= 0 || j->fd_err >= 0;
    /* While the host is slow to take output the pipes are not read; that is not a hang. */
    if (pipes_open && !outq_below_high_water()) j->finish_by_ms = now + REAP_GRACE_MS;
    if ((!alive && !pipes_open) || now >= j->finish_by_ms) finish(j);
  }
}

int jobs_next_timeout_ms(void) {
  uint64_t now = now_ms();
  int64_t best = -1;
  for (int i = 0; i < MAX_JOBS; i++) {
    job *j = &A.jobs[i];
    if (!j->used) continue;
    int64_t wait;
    if (j->reaped) wait = 10; /* poll the group's disappearance */
    else if (j->deadline_ms) wait = j->deadline_ms > now ? (int64_t)(j->deadline_ms - now) : 0;
    else continue;
    if (best < 0 || wait < best) best = wait;
  }
  return (int)best;
}

void jobs_kill_all(void) {
  for (int i = 0; i < MAX_JOBS; i++) {
    job *j = &A.jobs[i];
    if (!j->used) continue;
    kill(-j->pid, SIGKILL);
    release(j);
  }
}
