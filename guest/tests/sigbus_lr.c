/* sigbus_lr: LR.W on an address that is not 4-byte aligned dies by SIGBUS (atoll exits 135). */
#include "atoll.h"

static uint32_t words[2];

int main(void) {
  puts("lr.w on a misaligned address");
  uint32_t v;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"((char *)words + 1) : "memory");
  printf("unreachable %u\n", v);
  return 0;
}
