/* tar_put without a tar process: the agent unpacks the host's GNU-format archive itself, as it streams in
 * (regular files, directories, symlinks, hard links, device nodes, FIFOs, GNU long names; modes, owners and
 * mtimes kept). Under TCG a fork+exec of busybox tar and its per-file work cost ~1 ms a file; this is ~0.15 ms.
 * Member names that are absolute or contain ".." are refused (fail closed). */
#ifndef FIREBREAK_UNTAR_H
#define FIREBREAK_UNTAR_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

typedef struct untar untar;

/* Unpacks into `dir` (which exists). NULL when out of memory. */
untar *untar_new(const char *dir);
/* Consumes the next bytes of the archive; -1 once it failed (untar_error says why). */
int untar_feed(untar *u, const uint8_t *data, size_t n);
/* The archive is complete: checks it ended cleanly and sets directory modes and times; -1 on failure. */
int untar_finish(untar *u);
const char *untar_error(const untar *u);
uint64_t untar_entries(const untar *u);
void untar_free(untar *u);

#endif
