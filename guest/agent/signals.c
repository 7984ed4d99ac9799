#include "signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  int number;
  const char *name;
} SIGNALS[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},   {SIGQUIT, "QUIT"}, {SIGILL, "ILL"},       {SIGTRAP, "TRAP"},
    {SIGABRT, "ABRT"}, {SIGBUS, "BUS"},   {SIGFPE, "FPE"},   {SIGKILL, "KILL"},     {SIGUSR1, "USR1"},
    {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"}, {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"},     {SIGTERM, "TERM"},
    {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"}, {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"},     {SIGTTIN, "TTIN"},
    {SIGTTOU, "TTOU"}, {SIGURG, "URG"},   {SIGXCPU, "XCPU"}, {SIGXFSZ, "XFSZ"},     {SIGVTALRM, "VTALRM"},
    {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"}, {SIGIO, "IO"},   {SIGPWR, "PWR"},       {SIGSYS, "SYS"},
};

const char *signal_name(int sig) {
  for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
    if (SIGNALS[i].number == sig) return SIGNALS[i].name;
  return NULL;
}

int signal_parse(const char *text) {
  if (text[0] >= '0' && text[0] <= '9') {
    char *end;
    long n = strtol(text, &end, 10);
    return (*end == '\0' && n > 0 && n < NSIG) ? (int)n : 0;
  }
  if (strncmp(text, "SIG", 3) == 0) text += 3;
  for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
    if (strcmp(SIGNALS[i].name, text) == 0) return SIGNALS[i].number;
  return 0;
}
