/* An IPC client on another node: finds the endpoint argv[1] by its cluster-wide name (waiting for the server
 * to register it), calls "inc" argv[2] times, checks the errors a guest can act on, then sends "quit". With
 * argv[3] "late" (against ipc_late) it checks a deadline instead: a call with a 100 ms timeout to a server that
 * does not receive yet fails with -ETIMEDOUT, and a call the server ends on without replying gets -EPIPE.
 * With argv[3] "quiet" (benchmarks) it makes the calls, prints only the last reply, and sends "quit". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "raw_calls.h"

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "ctr1";
  int count = argc > 2 ? atoi(argv[2]) : 5;
  long ep = -1;
  struct timespec ms = { 0, 1000000 };
  for (int i = 0; i < 5000 && (ep = ipc_lookup_(IPC_NAME4(name))) < 0; i++) nanosleep(&ms, 0);
  if (ep < 0) { printf("client: lookup %s: %ld\n", name, ep); return 1; }
  printf("client: found %s\n", name);
  char reply[64];
  if (argc > 3 && strcmp(argv[3], "late") == 0) {
    printf("client: first with a 100 ms timeout %ld (ETIMEDOUT -%d)\n", ipc_call_(ep, "first", 5, reply, sizeof reply, 100), ETIMEDOUT);
    printf("client: die %ld (EPIPE -%d)\n", ipc_call_(ep, "die", 3, reply, sizeof reply, 0), EPIPE);
    return 0;
  }
  int quiet = argc > 3 && strcmp(argv[3], "quiet") == 0;
  for (int i = 0; i < count; i++) {
    long n = ipc_call_(ep, "inc", 3, reply, sizeof reply - 1, 0);
    if (n < 0) { printf("client: call %d: %ld\n", i, n); return 1; }
    reply[n] = 0;
    if (!quiet) printf("client: inc -> %s\n", reply);
  }
  if (quiet) {
    printf("client: %d calls, last reply %s\n", count, count > 0 ? reply : "none");
    long n = ipc_call_(ep, "quit", 4, reply, sizeof reply, 0);
    return n == 3 ? 0 : 1;
  }
  static char big[300];
  printf("client: oversize request %ld (EMSGSIZE -%d)\n", ipc_call_(ep, big, sizeof big, reply, sizeof reply, 0), EMSGSIZE);
  printf("client: bad request pointer %ld (EFAULT -%d)\n", ipc_call_(ep, (void *)16, 3, reply, sizeof reply, 0), EFAULT);
  printf("client: unknown name %ld (ENOENT -%d)\n", ipc_lookup_(IPC_NAME4("none")), ENOENT);
  printf("client: bad endpoint %ld (EBADF -%d)\n", ipc_call_(ep + 4096, "inc", 3, reply, sizeof reply, 0), EBADF);
  printf("client: register a name taken elsewhere %ld (EADDRINUSE -%d)\n", ipc_register_(IPC_NAME4(name)), EADDRINUSE);
  long n = ipc_call_(ep, "quit", 4, reply, sizeof reply - 1, 0);
  if (n >= 0) reply[n] = 0;
  printf("client: quit -> %s\n", n >= 0 ? reply : "error");
  return 0;
}
