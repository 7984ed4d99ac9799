/* File transfers: put (host -> guest file, written to a temporary name and renamed into
 * place when complete) and get (guest file -> host, streamed in data frames). */
#ifndef FIREBREAK_FILES_H
#define FIREBREAK_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

transfer *transfer_find(uint64_t id);
void files_put(uint64_t id, const json_value *h, const uint8_t *payload, size_t len);
void files_get(uint64_t id, const json_value *h);
/* tar_put: unpacks the archive in-process (untar.c); `list` answers with the directory's walk listing. */
void files_untar(uint64_t id, const char *dir, int list, const uint8_t *payload, size_t len, int more);
void transfer_feed(transfer *t, const uint8_t *data, size_t n, int eof);
/* Sends the next chunks of pending gets while the output queue has room. */
void files_pump(void);
int files_get_pending(void);
void files_abort_all(void);
/* mkdir -p; returns 0 or -1 with errno set. */
int make_dirs(const char *path, unsigned mode);
/* A request path must be absolute and free of NUL bytes; 0 when it is not. */
int path_ok(const char *path, size_t len);

#endif
