/* atoll.h for the host: lets the guest examples compile natively with gcc against libc, so the benchmark
 * can compare the same C source on the host CPU. Only what compute.c and memory.c use. */
#ifndef ATOLL_NATIVE_H
#define ATOLL_NATIVE_H
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline uintptr_t sys_brk(uintptr_t addr) {
  if (addr != 0) brk((void *)addr);
  return (uintptr_t)sbrk(0);
}
/* memory.c shrinks the break back to where its heap began; keep stdio's buffer out of the brk heap. */
__attribute__((constructor)) static void atoll_native_stdio(void) {
  static char buf[1 << 16];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
}
#endif
