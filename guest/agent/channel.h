/* The byte stream to the host. Four kinds, one behaviour: at most one host at a time, and
 * a host may come and go any number of times (a snapshot clone's host is a new process).
 *  - serial: a virtio-serial port. It stays open; reads return EOF and poll() reports HUP
 *    while no host is attached, so the agent watches for the host with SIGIO plus a slow
 *    poll instead of spinning on the port.
 *  - vsock / unix: a listening socket; the newest connection replaces the current one.
 *  - fd: one inherited connected descriptor (tests); EOF ends the agent. */
#ifndef FIREBREAK_CHANNEL_H
#define FIREBREAK_CHANNEL_H

#include <poll.h>

/* Returns 0, or -1 after logging why the channel cannot be opened. */
int channel_open(void);
void channel_close(void);
/* Serial: if no host is attached, checks whether one has arrived. */
void channel_check_serial(void);
/* Milliseconds until the next serial check, or -1. */
int channel_next_timeout_ms(void);
void channel_accept(void);
/* Reads what the host sent and dispatches complete frames. */
void channel_read(void);

#endif
