/* sigbus_amo: an AMO on an address that is not 4-byte aligned. Unlike plain loads and stores,
 * misaligned atomics are not emulated: the process dies by SIGBUS (atoll exits 135 = 128 + 7). */
#include "atoll.h"

static uint32_t words[2];

int main(void) {
  puts("amoadd.w on a misaligned address");
  uint32_t old;
  __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"((char *)words + 2), "r"(1) : "memory");
  printf("unreachable %u\n", old);
  return 0;
}
