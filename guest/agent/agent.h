/* Shared state and limits of firebreak-agent: one single-threaded poll() loop serving one
 * host connection at a time. See PROTOCOL.md for the wire format. */
#ifndef FIREBREAK_AGENT_H
#define FIREBREAK_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

#define AGENT_NAME "firebreak-agent"
#define AGENT_VERSION "0.1.0"
#define PROTOCOL_VERSION 1

#define FRAME_PREFIX_BYTES 8u
#define MAX_HEADER_BYTES (64u * 1024u)
#define MAX_PAYLOAD_BYTES (4u * 1024u * 1024u)
#define OUTPUT_CHUNK_BYTES (64u * 1024u)
#define FILE_CHUNK_BYTES (256u * 1024u)
/* Producers (pipes, file reads) pause while this much is waiting to go to the host. */
#define OUTQ_HIGH_WATER_BYTES (1024u * 1024u)
/* Input the host may have sent but the agent not yet written to a child's stdin. */
#define STDIN_BUFFER_LIMIT_BYTES (16u * 1024u * 1024u)
#define CAPTURE_LIMIT_BYTES (64u * 1024u)
#define MAX_JOBS 16
#define MAX_TRANSFERS 16
/* After a command's main process exits, its process group gets this long to disappear and
 * its pipes to reach EOF (a process that left the group may hold them open). */
#define REAP_GRACE_MS 1000
#define DEFAULT_RECONNECT_POLL_MS 20

typedef struct {
  uint8_t *data;
  size_t len;
  size_t cap;
} bytebuf;

int bb_append(bytebuf *b, const void *data, size_t n);
void bb_free(bytebuf *b);

enum channel_mode { CHANNEL_NONE, CHANNEL_SERIAL, CHANNEL_VSOCK, CHANNEL_UNIX, CHANNEL_FD };

typedef struct {
  enum channel_mode channel;
  const char *serial_path;
  const char *serial_name;
  unsigned vsock_port;
  const char *unix_path;
  int fd;
  const char *tar_path;
  const char *shell_path;
  int allow_settime;
  int allow_power_off;
  int shutdown_reboots; /* default for shutdown: reboot(RB_AUTOBOOT) rather than RB_POWER_OFF */
  int reconnect_poll_ms;
  int verbose;
} agent_config;

enum job_kind { JOB_EXEC, JOB_TAR_GET };

typedef struct {
  int used;
  uint64_t id;
  enum job_kind kind;
  pid_t pid; /* also the process group id: the child calls setsid() */
  int fd_in, fd_out, fd_err;
  bytebuf in_pending; /* bytes waiting for the child's stdin, from in_head on */
  size_t in_head;
  uint64_t in_unacked; /* data-frame bytes consumed but not yet acknowledged */
  int in_eof; /* the host sent its last input chunk */
  uint64_t started_ms;
  uint64_t deadline_ms; /* 0 = no timeout */
  int timed_out;
  int reaped;
  int status;
  uint64_t finish_by_ms; /* set once the main process is reaped */
  uint64_t out_bytes, err_bytes;
  bytebuf capture; /* tar: diagnostics for the error message */
  char dir[256]; /* tar: the directory, for messages */
} job;

enum transfer_kind { TRANSFER_PUT, TRANSFER_GET, TRANSFER_UNTAR };

typedef struct {
  int used;
  uint64_t id;
  enum transfer_kind kind;
  int fd;
  char *path;
  char *tmp_path;
  unsigned mode;
  uint64_t bytes;
  struct untar *untar; /* TRANSFER_UNTAR: the extraction in progress */
  int list; /* TRANSFER_UNTAR: answer with a walk listing of the directory */
} transfer;

typedef struct {
  agent_config cfg;
  int listen_fd;
  int conn_fd; /* -1 while no host is connected */
  int serial_fd; /* serial: the port, open for the agent's whole life */
  int wake_pipe[2]; /* self-pipe: signal handlers write here */
  bytebuf in; /* undecoded bytes from the host, from in_head on */
  size_t in_head;
  uint64_t in_skip; /* bytes of a rejected frame still to discard */
  int in_resync; /* framing lost: discard input until a hello request */
  bytebuf out; /* encoded frames for the host, from out_head on */
  size_t out_head;
  job jobs[MAX_JOBS];
  transfer transfers[MAX_TRANSFERS];
  int shutdown_requested; /* 1 = power off, 2 = reboot */
  int quit;
} agent_state;

extern agent_state A;

uint64_t now_ms(void); /* CLOCK_MONOTONIC */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
