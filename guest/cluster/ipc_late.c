/* An IPC server that starts serving late: registers the cluster-wide name argv[1], sleeps argv[2] ms, then
 * prints every request it receives; "die" makes it end without replying (its caller gets -EPIPE). A request
 * whose caller gave up before the server received it was withdrawn: it never arrives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "raw_calls.h"

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "late";
  long delay = argc > 2 ? atol(argv[2]) : 300;
  long ep = ipc_register_(IPC_NAME4(name));
  if (ep < 0) { printf("late: register %ld\n", ep); return 1; }
  struct timespec t = { delay / 1000, (delay % 1000) * 1000000 };
  nanosleep(&t, 0);
  static char buf[256];
  for (;;) {
    unsigned len = 0;
    long tok = ipc_recv_(ep, buf, sizeof buf - 1, &len);
    if (tok < 0) { printf("late: recv %ld\n", tok); return 1; }
    buf[len] = 0;
    printf("late: received %s\n", buf);
    if (strcmp(buf, "die") == 0) return 3;
    ipc_reply_(tok, "ok", 2);
  }
}
