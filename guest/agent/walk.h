/* walk: a listing of a directory tree with lstat data, so the host can tell what a command
 * changed (ctime moves on every write, chmod, rename or link) without copying the tree back. */
#ifndef FIREBREAK_WALK_H
#define FIREBREAK_WALK_H

#include <stdint.h>

#include "json.h"

void walk_dir(uint64_t id, const json_value *h);
/* The listing of `dir` as data frames and an ok {entries, bytes} (or an error), for request `id`. */
void walk_reply(uint64_t id, const char *dir);

#endif
