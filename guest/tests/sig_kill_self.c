/* The default action of SIGTERM ends the process: the exit status is 128 + 15, as under a shell. */
#include "atoll.h"

int main(void) {
  printf("about to kill myself with SIGTERM\n");
  sys_kill(sys_getpid(), SIGTERM);
  printf("not reached\n");
  return 0;
}
