/* Request handling: one decoded frame in, replies queued out. */
#ifndef FIREBREAK_DISPATCH_H
#define FIREBREAK_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

void dispatch_frame(const uint8_t *header, size_t header_len, const uint8_t *payload, size_t payload_len);
/* A host connected: start clean and greet it. */
void dispatch_connect(int fd);
/* The host went away: kill what it started, forget partial frames. */
void dispatch_disconnect(void);
/* The unsolicited greeting (id 0) and the reply to a hello request share this. */
void send_hello(uint64_t id);

#endif
