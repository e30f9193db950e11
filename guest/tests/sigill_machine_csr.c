/* sigill_machine_csr: user mode cannot read machine CSRs; csrr mstatus is an illegal instruction and
 * the process dies by SIGILL (atoll exits 132). */
#include "atoll.h"

int main(void) {
  puts("reading mstatus from user mode");
  uint32_t v;
  __asm__ volatile("csrr %0, mstatus" : "=r"(v));
  printf("unreachable %u\n", v);
  return 0;
}
