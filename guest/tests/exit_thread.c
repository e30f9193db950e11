/* exit_thread: exit (93) from the only thread ends the process; the status -1 becomes 255. */
#include "atoll.h"

int main(void) {
  puts("exiting the only thread with status -1");
  sys_exit(-1);
}
