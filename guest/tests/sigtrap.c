/* sigtrap: executes ebreak; with no debugger attached the process dies by SIGTRAP
 * (atoll exits 133 = 128 + 5). */
#include "atoll.h"

int main(void) {
  puts("executing ebreak");
  __asm__ volatile("ebreak");
  puts("unreachable");
  return 0;
}
