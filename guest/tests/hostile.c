/* hostile: a process probing memory that is not its own. Every system call handed a pointer outside the
 * process's mappings (page 0, the numeric range where an Atoll node keeps its kernel structures, above
 * the stack, the top page, the middle of the address space) fails with -EFAULT and the process goes on;
 * then a plain load from a kernel-range address kills it with SIGSEGV (exit 139 on atoll). Under Linux
 * and qemu-riscv32 the same addresses are unmapped, so the output is the same. */
#include "atoll.h"

static const uintptr_t probes[] = {
  0x00000000u, /* null */
  0x00000ff0u, /* page 0 */
  0x00100000u, /* an Atoll node's KERNEL_BASE, as a user virtual address */
  0x00180000u, /* kernel control blocks */
  0x80000000u, /* just above atoll's initial stack */
  0xc0000000u, /* where a 32-bit Linux kernel would live */
  0xfffff000u, /* the top page */
};
#define PROBES (sizeof probes / sizeof probes[0])

int main(void) {
  int all = 1;
  for (unsigned i = 0; i < PROBES; i++) {
    const void *p = (const void *)probes[i];
    long w = sys_write(STDOUT_FILENO, p, 16);
    long g = sys_clock_gettime(CLOCK_MONOTONIC, (struct timespec64 *)p);
    long s = sys_clock_nanosleep(CLOCK_MONOTONIC, 0, (const struct timespec64 *)p, 0);
    printf("probe %u: write %ld, clock_gettime %ld, clock_nanosleep %ld\n", i, w, g, s);
    if (w != -EFAULT || g != -EFAULT || s != -EFAULT) all = 0;
  }
  /* a buffer that wraps around the end of the address space */
  printf("write wrapping past 0xffffffff: %ld\n", sys_write(STDOUT_FILENO, (const void *)0xfffffff0u, 64));
  printf("all probes refused with EFAULT: %s\n", all ? "yes" : "no");
  puts("now loading from the kernel range");
  volatile uint32_t *k = (volatile uint32_t *)0x00100000u;
  uint32_t v = *k; /* SIGSEGV */
  printf("read %08x: isolation broken\n", v);
  return 1;
}
