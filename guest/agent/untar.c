#define _GNU_SOURCE
#include "untar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "files.h"

#define BLOCK 512u
/* A GNU long name or link may be at most this long (PATH_MAX-ish; longer ones are refused). */
#define LONG_NAME_MAX 4096u
/* Directories whose mode and mtime are set once the archive is complete (creating entries moves the mtime). */
#define MAX_DIRS 65536u

enum stage { ST_HEADER, ST_DATA, ST_LONG, ST_PAD, ST_END, ST_FAILED };

struct dir_time {
  char *path;
  unsigned mode;
  struct timespec mtime;
};

struct untar {
  char *root;
  enum stage stage;
  uint8_t header[BLOCK];
  size_t header_got;
  uint64_t left; /* data bytes of the current entry still to come */
  uint64_t pad; /* padding bytes after it */
  int fd; /* the regular file being written, -1 otherwise */
  char long_kind; /* 'L' or 'K' while reading a long name */
  bytebuf long_buf;
  char *long_name;
  char *long_link;
  char path[LONG_NAME_MAX + 512]; /* the current entry, under root */
  unsigned mode;
  int64_t uid, gid;
  struct timespec mtime;
  struct dir_time *dirs;
  size_t ndirs, dirs_cap;
  uint64_t entries;
  char error[600];
};

static int fail(untar *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(untar *u, const char *fmt, ...) {
  if (u->stage == ST_FAILED) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(u->error, sizeof u->error, fmt, ap);
  va_end(ap);
  u->stage = ST_FAILED;
  return -1;
}

untar *untar_new(const char *dir) {
  untar *u = calloc(1, sizeof *u);
  if (!u) return NULL;
  u->root = strdup(dir);
  if (!u->root) {
    free(u);
    return NULL;
  }
  size_t n = strlen(u->root);
  while (n > 1 && u->root[n - 1] == '/') u->root[--n] = '\0';
  u->fd = -1;
  return u;
}

void untar_free(untar *u) {
  if (!u) return;
  if (u->fd >= 0) close(u->fd);
  for (size_t i = 0; i < u->ndirs; i++) free(u->dirs[i].path);
  free(u->dirs);
  bb_free(&u->long_buf);
  free(u->long_name);
  free(u->long_link);
  free(u->root);
  free(u);
}

const char *untar_error(const untar *u) { return u->error; }
uint64_t untar_entries(const untar *u) { return u->entries; }

/* An octal field, or GNU base-256 (high bit of the first byte set) for values that do not fit. */
static int number(const uint8_t *field, size_t len, int64_t *out) {
  if (field[0] & 0x80) {
    if (field[0] & 0x40) return -1; /* negative */
    uint64_t v = field[0] & 0x3f;
    for (size_t i = 1; i < len; i++) {
      if (v >> 55) return -1;
      v = (v << 8) | field[i];
    }
    *out = (int64_t)v;
    return 0;
  }
  uint64_t v = 0;
  size_t i = 0;
  while (i < len && field[i] == ' ') i++;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
    if (v >> 60) return -1;
    v = v * 8 + (uint64_t)(field[i] - '0');
  }
  for (; i < len; i++)
    if (field[i] != ' ' && field[i] != '\0') return -1;
  *out = (int64_t)v;
  return 0;
}

static int checksum_ok(const uint8_t *h) {
  int64_t want;
  if (number(h + 148, 8, &want) < 0) return 0;
  uint64_t sum = 0;
  for (size_t i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return (int64_t)sum == want;
}

static int all_zero(const uint8_t *h) {
  for (size_t i = 0; i < BLOCK; i++)
    if (h[i]) return 0;
  return 1;
}

/* A NUL-terminated copy of a fixed-size header field. */
static void field_string(char *out, const uint8_t *field, size_t len) {
  size_t n = strnlen((const char *)field, len);
  memcpy(out, field, n);
  out[n] = '\0';
}

/* The archive's member name made safe and relative: "./" prefixes dropped; absolute names and ".." refused.
 * "" stands for the root itself ("./"). */
static const char *relative_name(untar *u, const char *name) {
  while (name[0] == '.' && name[1] == '/') {
    name += 2;
    while (*name == '/') name++;
  }
  if (strcmp(name, ".") == 0) return "";
  if (name[0] == '/') {
    fail(u, "refusing the absolute member name %s", name);
    return NULL;
  }
  for (const char *p = name; *p;) {
    const char *end = strchrnul(p, '/');
    if (end - p == 2 && p[0] == '.' && p[1] == '.') {
      fail(u, "refusing the member name %s: it leads out of the directory", name);
      return NULL;
    }
    p = *end ? end + 1 : end;
  }
  return name;
}

static int full_path(untar *u, char *out, size_t cap, const char *rel) {
  size_t n = strlen(rel);
  while (n > 0 && rel[n - 1] == '/') n--;
  int w = n ? snprintf(out, cap, "%s/%.*s", u->root, (int)n, rel) : snprintf(out, cap, "%s", u->root);
  if (w < 0 || (size_t)w >= cap) return fail(u, "member name too long: %.64s...", rel);
  return 0;
}

/* Parent directories of `path` (under root), like busybox tar does for archives that skip them. */
static int parents(untar *u, const char *path) {
  char buf[sizeof u->path];
  snprintf(buf, sizeof buf, "%s", path);
  char *slash = strrchr(buf, '/');
  if (!slash || slash == buf || (size_t)(slash - buf) <= strlen(u->root)) return 0;
  *slash = '\0';
  struct stat st;
  if (lstat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  if (make_dirs(buf, 0755) < 0) return fail(u, "creating the parent directories of %s: %s", path, strerror(errno));
  return 0;
}

/* Whatever is at `path` and is not a directory goes (a later member replaces an earlier one, as with tar). */
static void clear_path(const char *path) {
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) unlink(path);
}

static int own_and_time(untar *u, const char *path, int is_link) {
  if (lchown(path, (uid_t)u->uid, (gid_t)u->gid) < 0 && errno != EPERM) return fail(u, "chown %s: %s", path, strerror(errno));
  if (!is_link && chmod(path, u->mode) < 0) return fail(u, "chmod %s: %s", path, strerror(errno));
  struct timespec times[2] = {u->mtime, u->mtime};
  if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) < 0 && !is_link)
    return fail(u, "setting the time of %s: %s", path, strerror(errno));
  return 0;
}

static int remember_dir_time(untar *u, const char *path) {
  if (u->ndirs == MAX_DIRS) return fail(u, "more than %u directories in one archive", MAX_DIRS);
  if (u->ndirs == u->dirs_cap) {
    size_t cap = u->dirs_cap ? u->dirs_cap * 2 : 64;
    struct dir_time *d = realloc(u->dirs, cap * sizeof *d);
    if (!d) return fail(u, "out of memory");
    u->dirs = d;
    u->dirs_cap = cap;
  }
  char *copy = strdup(path);
  if (!copy) return fail(u, "out of memory");
  u->dirs[u->ndirs++] = (struct dir_time){copy, u->mode, u->mtime};
  return 0;
}

/* Creates everything but a regular file's contents; for a regular file, opens it into u->fd. */
static int begin_entry(untar *u, char type, const char *name, const char *linkname) {
  const char *rel = relative_name(u, name);
  if (!rel || full_path(u, u->path, sizeof u->path, rel) < 0) return -1;
  const char *path = u->path;
  if (*rel && parents(u, path) < 0) return -1;
  u->entries++;
  switch (type) {
    case '0':
    case '\0':
    case '7': {
      clear_path(path);
      u->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (u->fd < 0) return fail(u, "creating %s: %s", path, strerror(errno));
      return 0;
    }
    case '5': {
      if (mkdir(path, 0700) < 0 && errno != EEXIST) return fail(u, "mkdir %s: %s", path, strerror(errno));
      struct stat st;
      if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) return fail(u, "%s exists and is not a directory", path);
      /* Mode and times once the archive is complete: a read-only directory must still take its entries. */
      if (lchown(path, (uid_t)u->uid, (gid_t)u->gid) < 0 && errno != EPERM) return fail(u, "chown %s: %s", path, strerror(errno));
      return remember_dir_time(u, path);
    }
    case '2':
      clear_path(path);
      if (symlink(linkname, path) < 0) return fail(u, "symlink %s: %s", path, strerror(errno));
      return own_and_time(u, path, 1);
    case '1': {
      const char *target_rel = relative_name(u, linkname);
      char target[sizeof u->path];
      if (!target_rel || full_path(u, target, sizeof target, target_rel) < 0) return -1;
      clear_path(path);
      if (link(target, path) < 0) return fail(u, "hard link %s to %s: %s", path, target, strerror(errno));
      return 0;
    }
    case '3':
    case '4':
    case '6': {
      int64_t major = 0, minor = 0;
      if (type != '6' && (number(u->header + 329, 8, &major) < 0 || number(u->header + 337, 8, &minor) < 0))
        return fail(u, "bad device numbers for %s", path);
      mode_t kind = type == '3' ? S_IFCHR : type == '4' ? S_IFBLK : S_IFIFO;
      clear_path(path);
      if (mknod(path, kind | 0600, type == '6' ? 0 : makedev((unsigned)major, (unsigned)minor)) < 0)
        return fail(u, "mknod %s: %s", path, strerror(errno));
      return own_and_time(u, path, 0);
    }
    default:
      return fail(u, "unsupported tar member type '%c' for %s (the host packs GNU-format archives)", type, path);
  }
}

static int finish_file(untar *u) {
  int fd = u->fd;
  u->fd = -1;
  /* chown before chmod: chown clears set-id bits. */
  if (fchown(fd, (uid_t)u->uid, (gid_t)u->gid) < 0 && errno != EPERM) {
    close(fd);
    return fail(u, "chown %s: %s", u->path, strerror(errno));
  }
  struct timespec times[2] = {u->mtime, u->mtime};
  if (fchmod(fd, u->mode) < 0 || futimens(fd, times) < 0) {
    int e = errno;
    close(fd);
    return fail(u, "finishing %s: %s", u->path, strerror(e));
  }
  if (close(fd) < 0) return fail(u, "closing %s: %s", u->path, strerror(errno));
  return 0;
}

static int on_header(untar *u) {
  const uint8_t *h = u->header;
  if (all_zero(h)) {
    u->stage = ST_END;
    return 0;
  }
  if (!checksum_ok(h)) return fail(u, "not a tar archive (bad header checksum after %llu members)", (unsigned long long)u->entries);
  int64_t size, mode, mtime;
  if (number(h + 124, 12, &size) < 0 || number(h + 100, 8, &mode) < 0 || number(h + 108, 8, &u->uid) < 0 ||
      number(h + 116, 8, &u->gid) < 0 || number(h + 136, 12, &mtime) < 0)
    return fail(u, "bad numeric field in a tar header");
  char type = (char)h[156];
  u->mode = (unsigned)(mode & 07777);
  u->mtime = (struct timespec){(time_t)mtime, 0};
  if (type == 'L' || type == 'K') {
    if ((uint64_t)size > LONG_NAME_MAX) return fail(u, "a long member name of %lld bytes (limit %u)", (long long)size, LONG_NAME_MAX);
    u->long_kind = type;
    u->long_buf.len = 0;
    u->left = (uint64_t)size;
    u->pad = (BLOCK - (uint64_t)size % BLOCK) % BLOCK;
    u->stage = u->left ? ST_LONG : (u->pad ? ST_PAD : ST_HEADER);
    return 0;
  }
  char name[LONG_NAME_MAX + 256], link[LONG_NAME_MAX + 1];
  if (u->long_name) snprintf(name, sizeof name, "%s", u->long_name);
  else {
    char prefix[156], base[101];
    field_string(prefix, h + 345, 155); /* ustar prefix; GNU format leaves it empty */
    field_string(base, h, 100);
    if (memcmp(h + 257, "ustar\0", 6) == 0 && prefix[0]) snprintf(name, sizeof name, "%s/%s", prefix, base);
    else snprintf(name, sizeof name, "%s", base);
  }
  if (u->long_link) snprintf(link, sizeof link, "%s", u->long_link);
  else field_string(link, h + 157, 100);
  free(u->long_name);
  free(u->long_link);
  u->long_name = u->long_link = NULL;
  if (begin_entry(u, type, name, link) < 0) return -1;
  int has_data = type == '0' || type == '\0' || type == '7';
  u->left = has_data ? (uint64_t)size : 0;
  u->pad = has_data ? (BLOCK - (uint64_t)size % BLOCK) % BLOCK : 0;
  if (u->left) u->stage = ST_DATA;
  else {
    if (u->fd >= 0 && finish_file(u) < 0) return -1;
    u->stage = u->pad ? ST_PAD : ST_HEADER;
  }
  return 0;
}

static int on_long_done(untar *u) {
  char *s = malloc(u->long_buf.len + 1);
  if (!s) return fail(u, "out of memory");
  memcpy(s, u->long_buf.data, u->long_buf.len);
  s[u->long_buf.len] = '\0';
  char **slot = u->long_kind == 'L' ? &u->long_name : &u->long_link;
  free(*slot);
  *slot = s;
  return 0;
}

int untar_feed(untar *u, const uint8_t *data, size_t n) {
  while (n > 0) {
    switch (u->stage) {
      case ST_FAILED:
        return -1;
      case ST_END:
        return 0; /* the rest is end-of-archive padding */
      case ST_HEADER: {
        size_t take = BLOCK - u->header_got < n ? BLOCK - u->header_got : n;
        memcpy(u->header + u->header_got, data, take);
        u->header_got += take;
        data += take;
        n -= take;
        if (u->header_got == BLOCK) {
          u->header_got = 0;
          if (on_header(u) < 0) return -1;
        }
        break;
      }
      case ST_DATA:
      case ST_LONG: {
        size_t take = u->left < n ? (size_t)u->left : n;
        if (u->stage == ST_DATA) {
          for (size_t off = 0; off < take;) {
            ssize_t w = write(u->fd, data + off, take - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return fail(u, "writing %s: %s", u->path, strerror(errno));
            off += (size_t)w;
          }
        } else if (bb_append(&u->long_buf, data, take) < 0) {
          return fail(u, "out of memory");
        }
        u->left -= take;
        data += take;
        n -= take;
        if (u->left == 0) {
          if (u->stage == ST_DATA ? finish_file(u) < 0 : on_long_done(u) < 0) return -1;
          u->stage = u->pad ? ST_PAD : ST_HEADER;
        }
        break;
      }
      case ST_PAD: {
        size_t take = u->pad < n ? (size_t)u->pad : n;
        u->pad -= take;
        data += take;
        n -= take;
        if (u->pad == 0) u->stage = ST_HEADER;
        break;
      }
    }
  }
  return 0;
}

int untar_finish(untar *u) {
  if (u->stage == ST_FAILED) return -1;
  if (u->stage != ST_END && (u->stage != ST_HEADER || u->header_got != 0 || u->entries == 0))
    return fail(u, "the tar archive ends in the middle of a member");
  /* Deepest last is fine: a directory's mode and times do not change its parent's. */
  for (size_t i = 0; i < u->ndirs; i++) {
    struct timespec times[2] = {u->dirs[i].mtime, u->dirs[i].mtime};
    if (chmod(u->dirs[i].path, u->dirs[i].mode) < 0 || utimensat(AT_FDCWD, u->dirs[i].path, times, AT_SYMLINK_NOFOLLOW) < 0)
      return fail(u, "finishing the directory %s: %s", u->dirs[i].path, strerror(errno));
  }
  return 0;
}
