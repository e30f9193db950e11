/* exitcode: exit_group's status is reduced to its low 8 bits, as on Linux (300 & 255 = 44); output
 * written before the exit is not lost. */
#include "atoll.h"

int main(void) {
  puts("exiting with status 300");
  sys_exit_group(300);
}
