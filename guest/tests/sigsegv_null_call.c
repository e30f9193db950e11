/* sigsegv_null_call: calls through a null function pointer; fetching the instruction at address 0
 * faults and the process dies by SIGSEGV (atoll exits 139). */
#include "atoll.h"

int main(void) {
  puts("calling a null function pointer");
  void (*volatile fn)(void) = 0;
  fn();
  puts("unreachable");
  return 0;
}
