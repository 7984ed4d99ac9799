#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 32

typedef struct {
  const char *p;
  const char *end;
  json_arena *arena;
  const char *error;
  int depth;
} parser;

static void *arena_alloc(json_arena *a, size_t n) {
  n = (n + 7u) & ~(size_t)7u;
  if (a->used + n > a->cap) return NULL;
  void *out = a->mem + a->used;
  a->used += n;
  return out;
}

void json_arena_free(json_arena *arena) {
  free(arena->mem);
  arena->mem = NULL;
  arena->used = arena->cap = 0;
}

static void skip_ws(parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static json_value *new_value(parser *ps, json_type type) {
  json_value *v = arena_alloc(ps->arena, sizeof *v);
  if (!v) {
    ps->error = "out of memory";
    return NULL;
  }
  memset(v, 0, sizeof *v);
  v->type = type;
  return v;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

static size_t put_utf8(char *out, unsigned cp) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Parses a string starting at the opening quote; the decoded form is never longer than
 * the encoded one, so one allocation of the encoded length suffices. */
static char *parse_string(parser *ps, size_t *len_out) {
  ps->p++; /* opening quote */
  const char *start = ps->p;
  const char *q = start;
  while (q < ps->end && *q != '"') {
    if (*q == '\\') q++;
    q++;
  }
  if (q >= ps->end) { ps->error = "unterminated string"; return NULL; }
  char *out = arena_alloc(ps->arena, (size_t)(q - start) + 1);
  if (!out) { ps->error = "out of memory"; return NULL; }
  size_t n = 0;
  while (ps->p < q) {
    unsigned char c = (unsigned char)*ps->p;
    if (c < 0x20) { ps->error = "control character in string"; return NULL; }
    if (c != '\\') { out[n++] = (char)c; ps->p++; continue; }
    ps->p++;
    char e = *ps->p++;
    switch (e) {
      case '"': out[n++] = '"'; break;
      case '\\': out[n++] = '\\'; break;
      case '/': out[n++] = '/'; break;
      case 'b': out[n++] = '\b'; break;
      case 'f': out[n++] = '\f'; break;
      case 'n': out[n++] = '\n'; break;
      case 'r': out[n++] = '\r'; break;
      case 't': out[n++] = '\t'; break;
      case 'u': {
        unsigned cp;
        if (q - ps->p < 4 || !hex4(ps->p, &cp)) { ps->error = "bad \\u escape"; return NULL; }
        ps->p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned lo;
          if (q - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || !hex4(ps->p + 2, &lo) || lo < 0xDC00 ||
              lo > 0xDFFF) {
            ps->error = "unpaired surrogate";
            return NULL;
          }
          ps->p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          ps->error = "unpaired surrogate";
          return NULL;
        }
        n += put_utf8(out + n, cp);
        break;
      }
      default: ps->error = "bad escape"; return NULL;
    }
  }
  ps->p = q + 1;
  out[n] = '\0';
  *len_out = n;
  return out;
}

static json_value *parse_value(parser *ps);

static json_value *parse_number(parser *ps) {
  const char *s = ps->p;
  const char *q = s;
  if (q < ps->end && *q == '-') q++;
  if (q >= ps->end || *q < '0' || *q > '9') { ps->error = "bad number"; return NULL; }
  if (*q == '0') q++;
  else while (q < ps->end && *q >= '0' && *q <= '9') q++;
  if (q < ps->end && *q == '.') {
    q++;
    if (q >= ps->end || *q < '0' || *q > '9') { ps->error = "bad number"; return NULL; }
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  }
  if (q < ps->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (q < ps->end && (*q == '+' || *q == '-')) q++;
    if (q >= ps->end || *q < '0' || *q > '9') { ps->error = "bad number"; return NULL; }
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  }
  char tmp[64];
  size_t n = (size_t)(q - s);
  if (n >= sizeof tmp) { ps->error = "number too long"; return NULL; }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  json_value *v = new_value(ps, JSON_NUMBER);
  if (!v) return NULL;
  v->number = strtod(tmp, NULL);
  ps->p = q;
  return v;
}

static int literal(parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return 0;
  ps->p += n;
  return 1;
}

static json_value *parse_container(parser *ps, int is_object) {
  if (++ps->depth > JSON_MAX_DEPTH) { ps->error = "nesting too deep"; return NULL; }
  json_value *v = new_value(ps, is_object ? JSON_OBJECT : JSON_ARRAY);
  if (!v) return NULL;
  char close = is_object ? '}' : ']';
  ps->p++;
  skip_ws(ps);
  json_value **tail = &v->child;
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    ps->depth--;
    return v;
  }
  for (;;) {
    const char *key = NULL;
    if (is_object) {
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != '"') { ps->error = "expected member name"; return NULL; }
      size_t klen;
      char *k = parse_string(ps, &klen);
      if (!k) return NULL;
      if (strlen(k) != klen) { ps->error = "NUL in member name"; return NULL; }
      key = k;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') { ps->error = "expected ':'"; return NULL; }
      ps->p++;
    }
    json_value *item = parse_value(ps);
    if (!item) return NULL;
    item->key = key;
    *tail = item;
    tail = &item->next;
    v->count++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
    if (ps->p < ps->end && *ps->p == close) { ps->p++; break; }
    ps->error = is_object ? "expected ',' or '}'" : "expected ',' or ']'";
    return NULL;
  }
  ps->depth--;
  return v;
}

static json_value *parse_value(parser *ps) {
  skip_ws(ps);
  if (ps->p >= ps->end) { ps->error = "unexpected end"; return NULL; }
  switch (*ps->p) {
    case '{': return parse_container(ps, 1);
    case '[': return parse_container(ps, 0);
    case '"': {
      json_value *v = new_value(ps, JSON_STRING);
      if (!v) return NULL;
      v->str = parse_string(ps, &v->str_len);
      return v->str ? v : NULL;
    }
    case 't':
    case 'f': {
      json_value *v = new_value(ps, JSON_BOOL);
      if (!v) return NULL;
      if (literal(ps, "true")) v->boolean = 1;
      else if (literal(ps, "false")) v->boolean = 0;
      else { ps->error = "bad literal"; return NULL; }
      return v;
    }
    case 'n':
      if (!literal(ps, "null")) { ps->error = "bad literal"; return NULL; }
      return new_value(ps, JSON_NULL);
    default: return parse_number(ps);
  }
}

json_value *json_parse(const char *text, size_t len, json_arena *arena, const char **error) {
  /* Every value consumes at least one input byte, so this bound always suffices. */
  size_t cap = len * (sizeof(json_value) + 8) + 64;
  arena->mem = malloc(cap);
  arena->used = 0;
  arena->cap = arena->mem ? cap : 0;
  if (!arena->mem) { *error = "out of memory"; return NULL; }
  parser ps = {text, text + len, arena, NULL, 0};
  json_value *v = parse_value(&ps);
  if (v) {
    skip_ws(&ps);
    if (ps.p != ps.end) { ps.error = "trailing data"; v = NULL; }
  }
  if (!v) *error = ps.error ? ps.error : "bad JSON";
  return v;
}

const json_value *json_get(const json_value *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT) return NULL;
  const json_value *found = NULL;
  for (const json_value *m = obj->child; m; m = m->next)
    if (strcmp(m->key, key) == 0) found = m; /* last one wins, like JSON.parse */
  return found;
}

int json_get_string(const json_value *obj, const char *key, const char **out, size_t *len) {
  const json_value *v = json_get(obj, key);
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_STRING) return -1;
  *out = v->str;
  if (len) *len = v->str_len;
  return 1;
}

int json_get_bool(const json_value *obj, const char *key, int *out) {
  const json_value *v = json_get(obj, key);
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_BOOL) return -1;
  *out = v->boolean;
  return 1;
}

int json_get_int(const json_value *obj, const char *key, int64_t min, int64_t max, int64_t *out) {
  const json_value *v = json_get(obj, key);
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_NUMBER) return -1;
  double d = v->number;
  if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max) return -1;
  *out = (int64_t)d;
  return 1;
}

/* ---- writer ---- */

static void jw_reserve(json_writer *w, size_t extra) {
  if (w->failed) return;
  if (w->len + extra + 1 <= w->cap) return;
  size_t cap = w->cap ? w->cap : 256;
  while (cap < w->len + extra + 1) cap *= 2;
  char *b = realloc(w->buf, cap);
  if (!b) { w->failed = 1; return; }
  w->buf = b;
  w->cap = cap;
}

static void jw_raw(json_writer *w, const char *s, size_t n) {
  jw_reserve(w, n);
  if (w->failed) return;
  memcpy(w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = '\0';
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail) {
  unsigned char c = s[0];
  size_t need;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
  else return 0;
  if (avail < need) return 0;
  for (size_t i = 1; i < need; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return need;
}

/* Writes a JSON string; invalid UTF-8 (e.g. raw tar stderr) becomes U+FFFD so the
 * header always stays valid JSON. */
static void jw_quoted(json_writer *w, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  jw_raw(w, "\"", 1);
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    char esc[8];
    if (c == '"') { jw_raw(w, "\\\"", 2); i++; }
    else if (c == '\\') { jw_raw(w, "\\\\", 2); i++; }
    else if (c == '\n') { jw_raw(w, "\\n", 2); i++; }
    else if (c == '\r') { jw_raw(w, "\\r", 2); i++; }
    else if (c == '\t') { jw_raw(w, "\\t", 2); i++; }
    else if (c < 0x20 || c == 0x7F) { snprintf(esc, sizeof esc, "\\u%04x", c); jw_raw(w, esc, 6); i++; }
    else {
      size_t k = utf8_seq(u + i, n - i);
      if (k == 0) { jw_raw(w, "\xEF\xBF\xBD", 3); i++; }
      else { jw_raw(w, s + i, k); i += k; }
    }
  }
  jw_raw(w, "\"", 1);
}

static void jw_key(json_writer *w, const char *key) {
  if (w->members++) jw_raw(w, ",", 1);
  jw_quoted(w, key, strlen(key));
  jw_raw(w, ":", 1);
}

void jw_begin(json_writer *w) {
  memset(w, 0, sizeof *w);
  jw_raw(w, "{", 1);
}

void jw_string(json_writer *w, const char *key, const char *value) { jw_string_n(w, key, value, strlen(value)); }

void jw_string_n(json_writer *w, const char *key, const char *value, size_t len) {
  jw_key(w, key);
  jw_quoted(w, value, len);
}

void jw_int(json_writer *w, const char *key, int64_t value) {
  char num[32];
  int n = snprintf(num, sizeof num, "%lld", (long long)value);
  jw_key(w, key);
  jw_raw(w, num, (size_t)n);
}

void jw_bool(json_writer *w, const char *key, int value) {
  jw_key(w, key);
  if (value) jw_raw(w, "true", 4);
  else jw_raw(w, "false", 5);
}

void jw_null(json_writer *w, const char *key) {
  jw_key(w, key);
  jw_raw(w, "null", 4);
}

void jw_string_array(json_writer *w, const char *key, const char *const *values, size_t count) {
  jw_key(w, key);
  jw_raw(w, "[", 1);
  for (size_t i = 0; i < count; i++) {
    if (i) jw_raw(w, ",", 1);
    jw_quoted(w, values[i], strlen(values[i]));
  }
  jw_raw(w, "]", 1);
}

void jw_end(json_writer *w) { jw_raw(w, "}", 1); }

void jw_free(json_writer *w) {
  free(w->buf);
  w->buf = NULL;
}
