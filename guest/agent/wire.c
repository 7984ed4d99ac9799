#define _GNU_SOURCE
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "dispatch.h"

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void queue_frame(const char *header, size_t hlen, const void *payload, size_t plen) {
  if (A.conn_fd < 0) return;
  uint8_t prefix[FRAME_PREFIX_BYTES];
  put_be32(prefix, (uint32_t)hlen);
  put_be32(prefix + 4, (uint32_t)plen);
  if (bb_append(&A.out, prefix, sizeof prefix) < 0 || bb_append(&A.out, header, hlen) < 0 ||
      (plen && bb_append(&A.out, payload, plen) < 0)) {
    /* Out of memory with a half-queued frame: the stream is unusable, start over. */
    log_msg("out of memory queueing a frame; dropping the connection");
    A.out.len = A.out_head = 0;
    dispatch_disconnect();
  }
}

void reply_begin(json_writer *w, const char *type, uint64_t id) {
  jw_begin(w);
  jw_string(w, "type", type);
  jw_int(w, "id", (int64_t)id);
}

void send_reply(json_writer *w, const void *payload, size_t payload_len) {
  jw_end(w);
  if (w->failed) {
    log_msg("out of memory building a reply");
  } else {
    queue_frame(w->buf, w->len, payload, payload_len);
  }
  jw_free(w);
}

void reply_ok(uint64_t id) {
  json_writer w;
  reply_begin(&w, "ok", id);
  send_reply(&w, NULL, 0);
}

void reply_error(uint64_t id, const char *code, const char *fmt, ...) {
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  log_debug("error id=%llu %s: %s", (unsigned long long)id, code, message);
  json_writer w;
  reply_begin(&w, "error", id);
  jw_string(&w, "code", code);
  jw_string(&w, "message", message);
  send_reply(&w, NULL, 0);
}

size_t outq_pending(void) { return A.out.len - A.out_head; }

int outq_below_high_water(void) { return outq_pending() < OUTQ_HIGH_WATER_BYTES; }

int wire_flush(void) {
  while (A.conn_fd >= 0 && outq_pending() > 0) {
    ssize_t n = write(A.conn_fd, A.out.data + A.out_head, outq_pending());
    if (n > 0) {
      A.out_head += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return -1;
  }
  if (A.out_head == A.out.len) {
    A.out.len = A.out_head = 0;
  } else if (A.out_head > A.out.len / 2) {
    memmove(A.out.data, A.out.data + A.out_head, A.out.len - A.out_head);
    A.out.len -= A.out_head;
    A.out_head = 0;
  }
  return 0;
}

/* Best effort: the id of a rejected frame's header, so the host can match the error. */
static uint64_t header_id(const uint8_t *header, size_t hlen) {
  json_arena arena = {0};
  const char *err = NULL;
  int64_t id = 0;
  json_value *v = json_parse((const char *)header, hlen, &arena, &err);
  if (!v || json_get_int(v, "id", 0, (int64_t)1 << 53, &id) != 1) id = 0;
  json_arena_free(&arena);
  return (uint64_t)id;
}

/* A host's requests start {"type":..., so a hello request starts like this. */
static const char HELLO_MARKER[] = "{\"type\":\"hello\"";

/* Framing is lost (e.g. a new host on a serial port got behind the tail of its predecessor's
 * frame): drop input up to the next frame whose header starts like a hello request. */
static int resync(void) {
  size_t marker_len = sizeof HELLO_MARKER - 1;
  size_t avail = A.in.len - A.in_head;
  const uint8_t *base = A.in.data + A.in_head;
  if (avail >= FRAME_PREFIX_BYTES + marker_len) {
    const uint8_t *hit =
        memmem(base + FRAME_PREFIX_BYTES, avail - FRAME_PREFIX_BYTES, HELLO_MARKER, marker_len);
    if (hit) {
      A.in_head += (size_t)(hit - base) - FRAME_PREFIX_BYTES;
      A.in_resync = 0;
      return 1;
    }
  }
  size_t keep = FRAME_PREFIX_BYTES + marker_len - 1;
  if (avail > keep) A.in_head += avail - keep;
  return 0;
}

void wire_decode(void) {
  while (A.conn_fd >= 0) {
    if (A.in_resync && !resync()) break;
    size_t avail = A.in.len - A.in_head;
    if (A.in_skip > 0) {
      size_t k = avail < A.in_skip ? avail : (size_t)A.in_skip;
      A.in_head += k;
      A.in_skip -= k;
      if (A.in_skip > 0) break;
      continue;
    }
    if (avail < FRAME_PREFIX_BYTES) break;
    const uint8_t *p = A.in.data + A.in_head;
    uint32_t hlen = get_be32(p);
    uint32_t plen = get_be32(p + 4);
    uint64_t total = FRAME_PREFIX_BYTES + (uint64_t)hlen + plen;
    if (hlen == 0 || hlen > MAX_HEADER_BYTES) {
      /* No sender writes such a frame: the stream is out of step. Say so once, then wait
       * for the host to start over with a hello. */
      reply_error(0, "too_large", "frame header of %u bytes is empty or exceeds %u; ignoring input until a hello",
                  hlen, MAX_HEADER_BYTES);
      A.in_head += 1;
      A.in_resync = 1;
      continue;
    }
    if (plen > MAX_PAYLOAD_BYTES) {
      if (avail < FRAME_PREFIX_BYTES + hlen) break;
      reply_error(header_id(p + FRAME_PREFIX_BYTES, hlen), "too_large", "frame payload of %u bytes exceeds %u", plen,
                  MAX_PAYLOAD_BYTES);
      A.in_skip = total;
      continue;
    }
    if (avail < total) break;
    A.in_head += (size_t)total;
    dispatch_frame(p + FRAME_PREFIX_BYTES, hlen, p + FRAME_PREFIX_BYTES + hlen, plen);
  }
  if (A.in_head == A.in.len) {
    A.in.len = A.in_head = 0;
  } else if (A.in_head > 0) {
    memmove(A.in.data, A.in.data + A.in_head, A.in.len - A.in_head);
    A.in.len -= A.in_head;
    A.in_head = 0;
  }
}

void wire_reset(void) {
  A.in.len = A.in_head = 0;
  A.in_skip = 0;
  A.in_resync = 0;
  A.out.len = A.out_head = 0;
}
