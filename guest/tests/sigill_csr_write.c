/* sigill_csr_write: the user counters are read-only; writing cycle is an illegal instruction and the
 * process dies by SIGILL (atoll exits 132). */
#include "atoll.h"

int main(void) {
  uint32_t c;
  __asm__ volatile("rdcycle %0" : "=r"(c));
  puts("reading cycle works; writing it");
  __asm__ volatile("csrw cycle, zero");
  puts("unreachable");
  return 0;
}
