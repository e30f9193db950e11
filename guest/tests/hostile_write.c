/* hostile_write: a store into the node's kernel range (as a user address) kills the process with
 * SIGSEGV (exit 139 on atoll) before anything is written; nothing after it runs. */
#include "atoll.h"

int main(void) {
  puts("storing into the kernel range");
  *(volatile uint32_t *)0x00100040u = 0xdeadbeefu;
  puts("store succeeded: isolation broken");
  return 1;
}
