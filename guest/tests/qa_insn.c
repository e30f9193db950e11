/* qa_insn: executes one instruction word given in hex on the command line (written into a writable and
 * executable segment, then FENCE.I) with a0 = 5, a1 = 7 on entry, and prints a0 afterwards. Used to sweep
 * encodings: reserved fields, RV64-only and privileged instructions must raise SIGILL as under Linux;
 * hints and ignored fields must not. */
#include <atoll.h>

static uint32_t code[4] __attribute__((section(".rwx"), aligned(16)));

static uint32_t parse_hex(const char *s) {
  uint32_t v = 0;
  if (s[0] == '0' && s[1] == 'x') s += 2;
  for (; *s; s++) v = v * 16 + (uint32_t)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
  return v;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  code[0] = parse_hex(argv[1]);
  code[1] = 0x00008067; /* ret */
  __asm__ volatile("fence.i" ::: "memory");
  register uint32_t a0 __asm__("a0") = 5;
  register uint32_t a1 __asm__("a1") = 7;
  __asm__ volatile("jalr ra, 0(%2)" : "+r"(a0), "+r"(a1) : "r"(code) : "ra", "memory", "t0", "t1", "t2", "a2", "a3", "a4", "a5", "a6", "a7");
  printf("%08x -> a0 %08x\n", code[0], a0);
  return 0;
}
