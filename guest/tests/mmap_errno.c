/* mmap_errno: the errors of mmap2, munmap and mprotect as Linux (qemu-user) gives them. */
#include "atoll.h"

static void show(const char *what, long r) { printf("%s: %ld\n", what, r); }
#define M(a, l, p, f, fd) ((long)sys_mmap((void *)(a), (l), (p), (f), (fd), 0))
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

int main(void) {
  show("len 0", M(0, 0, PROT_READ, ANON, -1));
  show("prot 0x10", M(0, 4096, 0x10, ANON, -1));
  show("no type", M(0, 4096, PROT_READ, MAP_ANONYMOUS, -1));
  show("type 0xf", M(0, 4096, PROT_READ, 0xf | MAP_ANONYMOUS, -1));
  show("fd -1 without MAP_ANONYMOUS", M(0, 4096, PROT_READ, MAP_PRIVATE, -1));
  show("MAP_FIXED unaligned", M(0x40000010, 4096, PROT_READ, ANON | MAP_FIXED, -1));
  show("len 0xfffff000", M(0, 0xfffff000u, PROT_READ, ANON, -1));
  show("len 0xffffffff", M(0, 0xffffffffu, PROT_READ, ANON, -1));
  show("munmap unaligned", sys_munmap((void *)0x40000010, 4096));
  show("munmap len 0", sys_munmap((void *)0x40000000, 0));
  show("munmap wraps", sys_munmap((void *)0xfffff000u, 0x2000));
  show("mprotect unaligned", sys_mprotect((void *)0x40000010, 4096, PROT_READ));
  show("mprotect bad prot", sys_mprotect((void *)0x40000000, 4096, 0x10));
  show("mprotect unmapped", sys_mprotect((void *)0x40000000, 4096, PROT_READ));
  show("mprotect len 0", sys_mprotect((void *)0x40000000, 0, PROT_READ));
  void *p = sys_mmap(0, 8192, PROT_READ, ANON, -1, 0);
  show("mprotect past the end of a mapping", sys_mprotect(p, 3 * 4096, PROT_READ | PROT_WRITE));
  show("mprotect of the mapping", sys_mprotect(p, 8192, PROT_READ | PROT_WRITE));
  show("munmap of it", sys_munmap(p, 8192));
  return 0;
}
