/* sigsegv_stack_overflow: unbounded recursion runs off the end of the stack (8 MiB under Linux);
 * the store below the stack's limit faults and the process dies by SIGSEGV (atoll exits 139). */
#include "atoll.h"

static volatile int never = -1; /* a base case the compiler cannot see is never reached */

static int depth(int n) {
  if (n == never) return 0;
  volatile char pad[256];
  pad[0] = (char)n;
  return n + depth(n + 1) + pad[0];
}

int main(void) {
  puts("recursing without end");
  return depth(0);
}
