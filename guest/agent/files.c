#define _GNU_SOURCE
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "untar.h"
#include "walk.h"
#include "wire.h"

transfer *transfer_find(uint64_t id) {
  for (int i = 0; i < MAX_TRANSFERS; i++)
    if (A.transfers[i].used && A.transfers[i].id == id) return &A.transfers[i];
  return NULL;
}

static transfer *transfer_new(uint64_t id, enum transfer_kind kind) {
  for (int i = 0; i < MAX_TRANSFERS; i++) {
    transfer *t = &A.transfers[i];
    if (t->used) continue;
    memset(t, 0, sizeof *t);
    t->used = 1;
    t->id = id;
    t->kind = kind;
    t->fd = -1;
    return t;
  }
  return NULL;
}

static void transfer_release(transfer *t, int remove_tmp) {
  if (t->fd >= 0) close(t->fd);
  untar_free(t->untar);
  t->untar = NULL;
  if (remove_tmp && t->tmp_path) unlink(t->tmp_path);
  free(t->path);
  free(t->tmp_path);
  t->used = 0;
}

int path_ok(const char *path, size_t len) { return len > 0 && strlen(path) == len && path[0] == '/'; }

int make_dirs(const char *path, unsigned mode) {
  char buf[4096];
  size_t n = strlen(path);
  if (n >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, n + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
  struct stat st;
  if (stat(buf, &st) < 0) return -1;
  if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

static int parent_dirs(const char *path) {
  char *copy = strdup(path);
  if (!copy) return -1;
  char *slash = strrchr(copy, '/');
  int rc = 0;
  if (slash && slash != copy) {
    *slash = '\0';
    rc = make_dirs(copy, 0755);
  }
  free(copy);
  return rc;
}

static int write_all(int fd, const uint8_t *data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    data += w;
    n -= (size_t)w;
  }
  return 0;
}

static void put_complete(transfer *t) {
  int rc = fchmod(t->fd, t->mode);
  if (rc == 0) rc = close(t->fd);
  else close(t->fd);
  t->fd = -1;
  if (rc == 0) rc = rename(t->tmp_path, t->path);
  if (rc < 0) {
    reply_error(t->id, "io", "finishing %s: %s", t->path, strerror(errno));
    transfer_release(t, 1);
    return;
  }
  json_writer w;
  reply_begin(&w, "ok", t->id);
  jw_int(&w, "bytes", (int64_t)t->bytes);
  send_reply(&w, NULL, 0);
  transfer_release(t, 0);
}

static void untar_failed(transfer *t) {
  reply_error(t->id, "tar_failed", "extracting into %s failed: %s", t->path, untar_error(t->untar));
  transfer_release(t, 0);
}

static void untar_complete(transfer *t) {
  if (untar_finish(t->untar) < 0) {
    untar_failed(t);
    return;
  }
  if (t->list) {
    walk_reply(t->id, t->path);
  } else {
    json_writer w;
    reply_begin(&w, "ok", t->id);
    jw_int(&w, "entries", (int64_t)untar_entries(t->untar));
    send_reply(&w, NULL, 0);
  }
  transfer_release(t, 0);
}

void files_untar(uint64_t id, const char *dir, int list, const uint8_t *payload, size_t len, int more) {
  transfer *t = transfer_new(id, TRANSFER_UNTAR);
  if (!t) {
    reply_error(id, "busy", "too many transfers in progress (limit %d)", MAX_TRANSFERS);
    return;
  }
  t->list = list;
  t->path = strdup(dir);
  t->untar = t->path ? untar_new(dir) : NULL;
  if (!t->untar) {
    reply_error(id, "io", "out of memory");
    transfer_release(t, 0);
    return;
  }
  if (len && untar_feed(t->untar, payload, len) < 0) {
    untar_failed(t);
    return;
  }
  t->bytes = len;
  if (!more) untar_complete(t);
}

/* Counts a data frame and acknowledges it: acks open the host's send window (its flow control). */
static void ack_data(transfer *t, size_t n) {
  t->bytes += n;
  json_writer w;
  reply_begin(&w, "ack", t->id);
  jw_int(&w, "bytes", (int64_t)n);
  send_reply(&w, NULL, 0);
}

void transfer_feed(transfer *t, const uint8_t *data, size_t n, int eof) {
  if (t->kind == TRANSFER_UNTAR) {
    if (n && untar_feed(t->untar, data, n) < 0) {
      untar_failed(t);
      return;
    }
    ack_data(t, n);
    if (eof) untar_complete(t);
    return;
  }
  if (t->kind != TRANSFER_PUT) {
    reply_error(t->id, "bad_request", "data frames go to a put, exec or tar_put");
    return;
  }
  if (n && write_all(t->fd, data, n) < 0) {
    reply_error(t->id, "io", "writing %s: %s", t->path, strerror(errno));
    transfer_release(t, 1);
    return;
  }
  ack_data(t, n);
  if (eof) put_complete(t);
}

void files_put(uint64_t id, const json_value *h, const uint8_t *payload, size_t len) {
  const char *path;
  size_t path_len;
  int64_t mode = 0644;
  int more = 0, mkdirs = 1;
  if (json_get_string(h, "path", &path, &path_len) != 1 || !path_ok(path, path_len)) {
    reply_error(id, "bad_request", "put needs an absolute 'path'");
    return;
  }
  if (json_get_int(h, "mode", 0, 07777, &mode) < 0 || json_get_bool(h, "more", &more) < 0 ||
      json_get_bool(h, "mkdirs", &mkdirs) < 0) {
    reply_error(id, "bad_request", "put: 'mode' is an integer 0..4095, 'more' and 'mkdirs' are booleans");
    return;
  }
  if (mkdirs && parent_dirs(path) < 0) {
    reply_error(id, "io", "creating the parent directories of %s: %s", path, strerror(errno));
    return;
  }
  transfer *t = transfer_new(id, TRANSFER_PUT);
  if (!t) {
    reply_error(id, "busy", "too many transfers in progress (limit %d)", MAX_TRANSFERS);
    return;
  }
  t->mode = (unsigned)mode;
  t->path = strdup(path);
  if (t->path && asprintf(&t->tmp_path, "%s.fbk-part-%llu", path, (unsigned long long)id) < 0) t->tmp_path = NULL;
  if (!t->path || !t->tmp_path) {
    reply_error(id, "io", "out of memory");
    transfer_release(t, 0);
    return;
  }
  t->fd = open(t->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (t->fd < 0) {
    reply_error(id, "io", "creating %s: %s", t->tmp_path, strerror(errno));
    free(t->tmp_path);
    t->tmp_path = NULL;
    transfer_release(t, 0);
    return;
  }
  if (len && write_all(t->fd, payload, len) < 0) {
    reply_error(id, "io", "writing %s: %s", path, strerror(errno));
    transfer_release(t, 1);
    return;
  }
  t->bytes = len;
  if (!more) put_complete(t);
}

void files_get(uint64_t id, const json_value *h) {
  const char *path;
  size_t path_len;
  if (json_get_string(h, "path", &path, &path_len) != 1 || !path_ok(path, path_len)) {
    reply_error(id, "bad_request", "get needs an absolute 'path'");
    return;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    reply_error(id, errno == ENOENT ? "not_found" : "io", "opening %s: %s", path, strerror(errno));
    return;
  }
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    reply_error(id, "bad_request", "%s is not a regular file (use tar_get for directories)", path);
    close(fd);
    return;
  }
  transfer *t = transfer_new(id, TRANSFER_GET);
  if (!t) {
    reply_error(id, "busy", "too many transfers in progress (limit %d)", MAX_TRANSFERS);
    close(fd);
    return;
  }
  t->fd = fd;
  t->mode = (unsigned)(st.st_mode & 07777);
  t->path = strdup(path);
}

int files_get_pending(void) {
  for (int i = 0; i < MAX_TRANSFERS; i++)
    if (A.transfers[i].used && A.transfers[i].kind == TRANSFER_GET) return 1;
  return 0;
}

static void pump_one(transfer *t) {
  static uint8_t buf[FILE_CHUNK_BYTES];
  while (t->used && outq_below_high_water() && A.conn_fd >= 0) {
    ssize_t n = read(t->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      reply_error(t->id, "io", "reading %s: %s", t->path ? t->path : "file", strerror(errno));
      transfer_release(t, 0);
      return;
    }
    if (n == 0) {
      json_writer w;
      reply_begin(&w, "ok", t->id);
      jw_int(&w, "bytes", (int64_t)t->bytes);
      jw_int(&w, "mode", t->mode);
      send_reply(&w, NULL, 0);
      transfer_release(t, 0);
      return;
    }
    json_writer w;
    reply_begin(&w, "data", t->id);
    send_reply(&w, buf, (size_t)n);
    t->bytes += (uint64_t)n;
  }
}

void files_pump(void) {
  for (int i = 0; i < MAX_TRANSFERS; i++)
    if (A.transfers[i].used && A.transfers[i].kind == TRANSFER_GET) pump_one(&A.transfers[i]);
}

void files_abort_all(void) {
  for (int i = 0; i < MAX_TRANSFERS; i++)
    if (A.transfers[i].used) transfer_release(&A.transfers[i], A.transfers[i].kind == TRANSFER_PUT);
}
