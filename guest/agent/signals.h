/* Signal names on the wire ("TERM"), since numbers differ between architectures. */
#ifndef FIREBREAK_SIGNALS_H
#define FIREBREAK_SIGNALS_H

/* "TERM" for SIGTERM; NULL when unknown. */
const char *signal_name(int sig);
/* Accepts "TERM", "SIGTERM" or a decimal number; returns 0 when unknown. */
int signal_parse(const char *text);

#endif
