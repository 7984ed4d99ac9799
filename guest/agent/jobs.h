/* Child processes: commands (exec) and the tar process behind tar_get. Each runs
 * in its own session and process group, so one kill(-pgid) reaches all its descendants. */
#ifndef FIREBREAK_JOBS_H
#define FIREBREAK_JOBS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"

typedef struct {
  int64_t cpu_s; /* -1 = unset */
  int64_t fsize_bytes;
  int64_t nproc;
  int64_t uid; /* -1 = keep the agent's */
  int64_t gid;
} exec_limits;

typedef struct {
  char *const *argv;
  char *const *envp;
  const char *cwd; /* NULL = the agent's */
  exec_limits limits;
  int stdin_pipe; /* 0: stdin is /dev/null */
  uint64_t timeout_ms; /* 0 = none */
} spawn_request;

job *job_find(uint64_t id);
int jobs_active(void);
/* Starts a job; on failure writes a message to err and returns NULL. */
job *job_start(uint64_t id, enum job_kind kind, const spawn_request *req, const char *dir, char *err, size_t err_len);
/* Queues input for the child's stdin; counted bytes are acknowledged once written. */
void job_feed(job *j, const void *data, size_t n, int counted, int eof);
void job_signal(job *j, int sig);

/* Poll integration: which fds the jobs want watched, and what happened on them. */
size_t jobs_collect_pollfds(struct pollfd *fds, int *owner, size_t max);
void jobs_handle_pollfd(int owner, const struct pollfd *pfd);
void jobs_reap(void);
void jobs_tick(void);
/* Milliseconds until the next job timer, or -1. */
int jobs_next_timeout_ms(void);
/* Connection lost or agent leaving: kill every process group, report nothing. */
void jobs_kill_all(void);

#endif
