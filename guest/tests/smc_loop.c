/* smc_loop: self-modifying code in hot loops. A loop generated into the writable and executable segment runs
 * often enough to be translated, is rewritten (with FENCE.I) and must run the new code; then a loop whose
 * body stores over one of its own instructions on every pass must run the stored instruction from the next
 * pass on (as under qemu-user, which sees a store to code at once). */
#include "atoll.h"

#define CODE_WORDS 64
static uint32_t code[CODE_WORDS] __attribute__((section(".rwx"), aligned(16)));

typedef int (*fn3)(int, uint32_t *, uint32_t);

static uint32_t addi(int rd, int rs1, int imm) { return ((uint32_t)imm << 20) | (rs1 << 15) | (rd << 7) | 0x13; }
static uint32_t add(int rd, int rs1, int rs2) { return (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33; }
static uint32_t sub(int rd, int rs1, int rs2) { return (0x20u << 25) | (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33; }
static uint32_t sw(int rs2, int rs1, int imm) {
  return (((uint32_t)imm >> 5 & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | ((imm & 31) << 7) | 0x23;
}
static uint32_t bne(int rs1, int rs2, int off) {
  uint32_t o = (uint32_t)off;
  return ((o >> 12 & 1) << 31) | ((o >> 5 & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (1 << 12) | ((o >> 1 & 0xf) << 8) | ((o >> 11 & 1) << 7) | 0x63;
}
#define RET 0x00008067u /* jalr x0, 0(ra) */

static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

static int call(int n, uint32_t word) { return ((fn3)(uintptr_t)code)(n, code, word); }

int main(void) {
  /* a3 = 0; loop: a3 = a3 op a0; a0 -= 1; bnez a0, loop; return a3 */
  code[0] = addi(13, 0, 0);
  code[1] = add(13, 13, 10);
  code[2] = addi(10, 10, -1);
  code[3] = bne(10, 0, -8);
  code[4] = addi(10, 13, 0);
  code[5] = RET;
  fence_i();
  int total = 0;
  for (int k = 0; k < 40; k++) total += call(100, 0);
  printf("sum loop: 40 x sum(1..100) = %d\n", total);

  code[1] = sub(13, 13, 10);
  fence_i();
  total = 0;
  for (int k = 0; k < 40; k++) total += call(100, 0);
  printf("rewritten to subtract: 40 x -sum(1..100) = %d\n", total);

  /* a3 = 0; loop: a3 += 1 (the store below makes it += 2); *(code + 1) = a2; a0 -= 1; bnez a0, loop */
  code[0] = addi(13, 0, 0);
  code[2] = sw(12, 11, 4);
  code[3] = addi(10, 10, -1);
  code[4] = bne(10, 0, -12);
  code[5] = addi(10, 13, 0);
  code[6] = RET;
  total = 0;
  for (int k = 0; k < 20; k++) {
    code[1] = addi(13, 13, 1);
    fence_i();
    total += call(1000, addi(13, 13, 2));
  }
  printf("loop storing over its own body: 20 x (1 + 2 x 999) = %d\n", total);
  return 0;
}
