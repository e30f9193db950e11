/* sigill: executes an illegal instruction (the all-zero word); the process dies by SIGILL
 * (atoll exits 132 = 128 + 4). */
#include "atoll.h"

int main(void) {
  puts("executing an illegal instruction");
  __asm__ volatile(".word 0x00000000");
  puts("unreachable");
  return 0;
}
