/* qa_stackbig: stack use close to the 8 MiB default limit (argv[1] KiB in one frame, touched from the
 * far end first, as a large local array is) and a heap grown to argv[2] MiB. */
#include <atoll.h>

static unsigned parse(const char *s) { unsigned v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0'); return v; }

__attribute__((noinline)) static unsigned frame(unsigned kib) {
  volatile char *p = __builtin_alloca(kib * 1024u);
  unsigned s = 0;
  for (unsigned i = 0; i < kib * 1024u; i += 4096) p[i] = (char)i;
  for (unsigned i = 0; i < kib * 1024u; i += 4096) s += (unsigned char)p[i];
  return s;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  printf("frame %u\n", frame(parse(argv[1])));
  unsigned mib = parse(argv[2]);
  uintptr_t b0 = sys_brk(0);
  uintptr_t b1 = sys_brk(b0 + (uintptr_t)mib * 1048576u);
  printf("heap grew: %d\n", b1 == b0 + (uintptr_t)mib * 1048576u);
  if (b1 != b0) { volatile char *q = (volatile char *)b0; for (uintptr_t i = 0; i < b1 - b0; i += 65536) q[i] = 1; puts("touched"); }
  return 0;
}
