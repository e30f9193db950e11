/* sigsegv_text: stores into its own code, which is mapped read and execute only; the process dies by
 * SIGSEGV (atoll exits 139 = 128 + 11). */
#include "atoll.h"

int main(void) {
  puts("storing into read-only text");
  volatile uint32_t *text = (volatile uint32_t *)(uintptr_t)&main;
  *text = 0x00000013u; /* nop */
  puts("unreachable");
  return 0;
}
