/* fault: a guest that dies of a segmentation fault. It prints a line, then loads through a null
 * structure pointer (address 0x10, in the unmapped page 0); the process ends with SIGSEGV
 * (atoll exits 139 = 128 + 11). */
#include "atoll.h"

int main(void) {
  puts("about to read unmapped memory at 0x00000010");
  volatile uint32_t *p = (volatile uint32_t *)0x10u;
  uint32_t v = *p;
  printf("unreachable: %u\n", v);
  return 0;
}
