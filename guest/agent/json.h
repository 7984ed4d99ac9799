/* Minimal JSON for frame headers: a strict parser into an arena-allocated tree, and a
 * writer for flat reply objects. Headers are small (<= MAX_HEADER_BYTES), so simplicity
 * beats speed here. */
#ifndef FIREBREAK_JSON_H
#define FIREBREAK_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  const char *key; /* member name when this value sits in an object */
  json_value *next; /* next element or member */
  json_value *child; /* first element or member */
  size_t count; /* elements or members */
  int boolean;
  double number;
  char *str; /* NUL-terminated copy; may hold embedded NULs (see str_len) */
  size_t str_len;
};

typedef struct {
  char *mem;
  size_t used;
  size_t cap;
} json_arena;

/* Parses exactly one JSON value spanning `text` (surrounding whitespace allowed).
 * Returns NULL and sets *error on failure. Free the arena with json_arena_free. */
json_value *json_parse(const char *text, size_t len, json_arena *arena, const char **error);
void json_arena_free(json_arena *arena);

/* Member of an object by name, or NULL (also NULL when obj is not an object). */
const json_value *json_get(const json_value *obj, const char *key);

/* Typed lookups: return 1 when present with the right type, 0 when absent, -1 when present
 * with the wrong type (callers treat -1 as a bad request). */
int json_get_string(const json_value *obj, const char *key, const char **out, size_t *len);
int json_get_bool(const json_value *obj, const char *key, int *out);
/* Integer in [min, max]; a fractional or out-of-range number counts as the wrong type. */
int json_get_int(const json_value *obj, const char *key, int64_t min, int64_t max, int64_t *out);

/* Writer: builds one JSON object. Failure to allocate sets `failed`. */
typedef struct {
  char *buf;
  size_t len;
  size_t cap;
  int failed;
  int members;
} json_writer;

void jw_begin(json_writer *w);
void jw_string(json_writer *w, const char *key, const char *value);
void jw_string_n(json_writer *w, const char *key, const char *value, size_t len);
void jw_int(json_writer *w, const char *key, int64_t value);
void jw_bool(json_writer *w, const char *key, int value);
void jw_null(json_writer *w, const char *key);
void jw_string_array(json_writer *w, const char *key, const char *const *values, size_t count);
void jw_end(json_writer *w);
void jw_free(json_writer *w);

#endif
