/* stack: a program may use megabytes of stack (Linux gives 8 MiB): recursion with a 1 KiB frame,
 * 1 MiB and 4 MiB deep, each frame touched at both ends. */
#include "atoll.h"

static uint32_t use(int kib) {
  volatile uint8_t frame[1024];
  frame[0] = (uint8_t)kib;
  frame[1023] = 1;
  return kib ? use(kib - 1) + frame[0] + frame[1023] : 0;
}

int main(void) {
  printf("1 MiB of stack: %u\n", use(1024));
  printf("4 MiB of stack: %u\n", use(4000));
  return 0;
}
