#define _GNU_SOURCE
#include "walk.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "files.h"
#include "wire.h"

/* A listing larger than this is refused rather than queued: the host caps changesets anyway. */
#define WALK_LIMIT_BYTES (32u * 1024u * 1024u)

static bytebuf listing;
static size_t root_len;
static uint64_t entries;
static int overflow;

static char type_of(mode_t m) {
  if (S_ISREG(m)) return 'f';
  if (S_ISDIR(m)) return 'd';
  if (S_ISLNK(m)) return 'l';
  return 'o';
}

/* One record: "<type> <mode octal> <size> <mtime s.ns> <ctime s.ns>\0<path>\0<link target>\0". */
static int visit(const char *fpath, const struct stat *st, int flag, struct FTW *ftw) {
  if (ftw->level == 0) return 0;
  char head[128];
  int n = snprintf(head, sizeof head, "%c %o %lld %lld.%09ld %lld.%09ld", type_of(st->st_mode), (unsigned)(st->st_mode & 07777),
                   (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
                   st->st_ctim.tv_nsec);
  char target[4096];
  ssize_t tn = 0;
  if (S_ISLNK(st->st_mode)) {
    tn = readlink(fpath, target, sizeof target - 1);
    if (tn < 0) tn = 0;
  }
  const char *rel = fpath + root_len + 1;
  size_t need = (size_t)n + 1 + strlen(rel) + 1 + (size_t)tn + 1;
  if (listing.len + need > WALK_LIMIT_BYTES) {
    overflow = 1;
    return 1;
  }
  if (bb_append(&listing, head, (size_t)n + 1) < 0 || bb_append(&listing, rel, strlen(rel) + 1) < 0 ||
      bb_append(&listing, target, (size_t)tn) < 0 || bb_append(&listing, "", 1) < 0) {
    overflow = 1;
    return 1;
  }
  entries++;
  (void)flag;
  return 0;
}

void walk_dir(uint64_t id, const json_value *h) {
  const char *dir;
  size_t dir_len;
  if (json_get_string(h, "dir", &dir, &dir_len) != 1 || !path_ok(dir, dir_len)) {
    reply_error(id, "bad_request", "walk needs an absolute 'dir'");
    return;
  }
  walk_reply(id, dir);
}

void walk_reply(uint64_t id, const char *dir) {
  struct stat st;
  if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
    reply_error(id, errno == ENOENT ? "not_found" : "bad_request", "%s is not a directory", dir);
    return;
  }
  listing.len = 0;
  entries = 0;
  overflow = 0;
  root_len = strlen(dir);
  while (root_len > 1 && dir[root_len - 1] == '/') root_len--;
  int rc = nftw(dir, visit, 64, FTW_PHYS | FTW_MOUNT);
  if (overflow) {
    reply_error(id, "too_large", "the listing of %s passes %u bytes", dir, WALK_LIMIT_BYTES);
  } else if (rc < 0) {
    reply_error(id, "io", "walking %s: %s", dir, strerror(errno));
  } else {
    for (size_t off = 0; off < listing.len; off += FILE_CHUNK_BYTES) {
      size_t n = listing.len - off < FILE_CHUNK_BYTES ? listing.len - off : FILE_CHUNK_BYTES;
      json_writer w;
      reply_begin(&w, "data", id);
      send_reply(&w, listing.data + off, n);
    }
    json_writer w;
    reply_begin(&w, "ok", id);
    jw_int(&w, "entries", (int64_t)entries);
    jw_int(&w, "bytes", (int64_t)listing.len);
    send_reply(&w, NULL, 0);
  }
  bb_free(&listing);
}
