/* An IPC server on one node: registers the cluster-wide endpoint name argv[1] (4 characters), after argv[2] ms
 * (default 0), and serves it. "inc" adds one to its counter and replies with the new value; "quit" replies
 * "bye" and ends the server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "raw_calls.h"

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "ctr1";
  long delay = argc > 2 ? atol(argv[2]) : 0;
  struct timespec t = { delay / 1000, (delay % 1000) * 1000000 };
  if (delay > 0) nanosleep(&t, 0);
  long ep = ipc_register_(IPC_NAME4(name));
  if (ep < 0) { printf("server: register %s: %ld\n", name, ep); return 1; }
  printf("server: %s registered\n", name);
  fflush(stdout);
  static char buf[256];
  char out[32];
  long counter = 0, served = 0;
  for (;;) {
    unsigned len = 0;
    long tok = ipc_recv_(ep, buf, sizeof buf, &len);
    if (tok < 0) { printf("server: recv %ld\n", tok); return 1; }
    served++;
    if (len == 4 && memcmp(buf, "quit", 4) == 0) { ipc_reply_(tok, "bye", 3); break; }
    if (len == 3 && memcmp(buf, "inc", 3) == 0) counter++;
    int n = snprintf(out, sizeof out, "%ld", counter);
    long r = ipc_reply_(tok, out, (unsigned long)n);
    if (r != 0) printf("server: reply %ld\n", r);
  }
  printf("server: served %ld requests, counter %ld\n", served, counter);
  return 0;
}
