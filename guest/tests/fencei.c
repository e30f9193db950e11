/* fencei: self-modifying code. Writes small functions into a writable and executable segment (.rwx,
 * linked with link-rwx.ld), executes FENCE.I and calls them; then rewrites the same words and checks the
 * new code runs, not the old. */
#include "atoll.h"

#define CODE_WORDS 64
static uint32_t code[CODE_WORDS] __attribute__((section(".rwx"), aligned(16)));

typedef int (*fn0)(void);
typedef int (*fn2)(int, int);

static uint32_t addi(int rd, int rs1, int imm) { return ((uint32_t)imm << 20) | (rs1 << 15) | (rd << 7) | 0x13; }
static uint32_t add(int rd, int rs1, int rs2) { return (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33; }
static uint32_t mul(int rd, int rs1, int rs2) { return (1u << 25) | (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33; }
#define RET 0x00008067u /* jalr x0, 0(ra) */

static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

int main(void) {
  code[0] = addi(10, 0, 42); /* li a0, 42 */
  code[1] = RET;
  fence_i();
  printf("first function returns %d\n", ((fn0)(uintptr_t)code)());

  code[0] = addi(10, 0, -7);
  fence_i();
  printf("rewritten function returns %d\n", ((fn0)(uintptr_t)code)());

  code[0] = add(10, 10, 11); /* a0 = a0 + a1 */
  code[1] = mul(10, 10, 10); /* a0 = a0 * a0 */
  code[2] = RET;
  fence_i();
  printf("(3 + 4)^2 = %d\n", ((fn2)(uintptr_t)code)(3, 4));

  /* a loop generated at run time: sum 1..n */
  code[0] = addi(12, 0, 0);  /* a2 = 0 */
  code[1] = add(12, 12, 10); /* loop: a2 += a0 */
  code[2] = addi(10, 10, -1);/* a0 -= 1 */
  code[3] = 0xfe051ce3u;     /* bnez a0, loop (-8) */
  code[4] = addi(10, 12, 0); /* a0 = a2 */
  code[5] = RET;
  fence_i();
  printf("generated loop sums 1..100 = %d\n", ((fn2)(uintptr_t)code)(100, 0));
  return 0;
}
