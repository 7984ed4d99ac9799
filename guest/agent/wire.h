/* Framing: 4-byte big-endian header length, 4-byte big-endian payload length, the JSON
 * header, then the payload. Outgoing frames queue in A.out and drain as the channel
 * accepts them; incoming bytes accumulate in A.in until a whole frame is there. */
#ifndef FIREBREAK_WIRE_H
#define FIREBREAK_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* Starts a reply header {"type": type, "id": id, ...}; finish with send_reply. */
void reply_begin(json_writer *w, const char *type, uint64_t id);
/* Ends the header object and queues the frame (dropped while no host is connected). */
void send_reply(json_writer *w, const void *payload, size_t payload_len);
void reply_ok(uint64_t id);
void reply_error(uint64_t id, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

size_t outq_pending(void);
int outq_below_high_water(void);
/* Writes as much queued output as the channel takes. Returns -1 when the channel broke. */
int wire_flush(void);
/* Decodes and dispatches every complete frame in A.in. */
void wire_decode(void);
/* Forgets partial frames in both directions (a new host connection starts clean). */
void wire_reset(void);

#endif
