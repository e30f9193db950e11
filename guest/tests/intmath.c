/* intmath: integer and M-extension edge cases, printed as hex so any difference shows. Division by
 * zero and INT_MIN / -1 follow the RISC-V rules (no trap): x/0 = -1 (all ones), x%0 = x,
 * INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0. The instructions are issued through inline assembly so the
 * compiler cannot fold them. */
#include "atoll.h"

#define OP(name, insn)                                                           \
  static uint32_t name(uint32_t a, uint32_t b) {                                 \
    uint32_t r;                                                                  \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));             \
    return r;                                                                    \
  }
OP(op_mul, "mul") OP(op_mulh, "mulh") OP(op_mulhsu, "mulhsu") OP(op_mulhu, "mulhu")
OP(op_div, "div") OP(op_divu, "divu") OP(op_rem, "rem") OP(op_remu, "remu")
OP(op_add, "add") OP(op_sub, "sub") OP(op_sll, "sll") OP(op_srl, "srl") OP(op_sra, "sra")
OP(op_slt, "slt") OP(op_sltu, "sltu") OP(op_xor, "xor") OP(op_or, "or") OP(op_and, "and")

struct op { const char *name; uint32_t (*fn)(uint32_t, uint32_t); };
static const struct op ops[] = {
  {"mul", op_mul}, {"mulh", op_mulh}, {"mulhsu", op_mulhsu}, {"mulhu", op_mulhu},
  {"div", op_div}, {"divu", op_divu}, {"rem", op_rem}, {"remu", op_remu},
  {"add", op_add}, {"sub", op_sub}, {"sll", op_sll}, {"srl", op_srl}, {"sra", op_sra},
  {"slt", op_slt}, {"sltu", op_sltu}, {"xor", op_xor}, {"or", op_or}, {"and", op_and},
};

static const uint32_t values[] = {
  0, 1, 2, 3, 7, 0x1f, 0x20, 0x21, 0xffffffff, 0xfffffffe, 0xfffffff9, 0x80000000, 0x80000001,
  0x7fffffff, 0x7ffffffe, 0x0000ffff, 0xffff0000, 0x12345678, 0xdeadbeef, 0x55555555, 0xaaaaaaaa,
};
#define NVALUES (sizeof values / sizeof values[0])
#define NOPS (sizeof ops / sizeof ops[0])

int main(void) {
  puts("division edge cases:");
  printf("  7 / 0 = %08x  7 %% 0 = %08x\n", op_div(7, 0), op_rem(7, 0));
  printf("  -7 / 0 = %08x  -7 %% 0 = %08x\n", op_div(-7u, 0), op_rem(-7u, 0));
  printf("  7 /u 0 = %08x  7 %%u 0 = %08x\n", op_divu(7, 0), op_remu(7, 0));
  printf("  INT_MIN / -1 = %08x  INT_MIN %% -1 = %08x\n", op_div(0x80000000u, -1u), op_rem(0x80000000u, -1u));
  printf("  -7 / 2 = %d  -7 %% 2 = %d  7 / -2 = %d  7 %% -2 = %d\n", (int)op_div(-7u, 2), (int)op_rem(-7u, 2),
         (int)op_div(7, -2u), (int)op_rem(7, -2u));
  puts("high multiply:");
  printf("  mulh(-1,-1) = %08x  mulhu(-1,-1) = %08x  mulhsu(-1,-1) = %08x\n", op_mulh(-1u, -1u),
         op_mulhu(-1u, -1u), op_mulhsu(-1u, -1u));
  printf("  mulh(INT_MIN,INT_MIN) = %08x  mulhsu(INT_MIN,-1) = %08x  mulhu(INT_MIN,2) = %08x\n",
         op_mulh(0x80000000u, 0x80000000u), op_mulhsu(0x80000000u, -1u), op_mulhu(0x80000000u, 2));

  /* every op over every pair: one line per op with a hash, plus a few sample values */
  for (unsigned o = 0; o < NOPS; o++) {
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < NVALUES; i++)
      for (unsigned j = 0; j < NVALUES; j++) h = (h ^ ops[o].fn(values[i], values[j])) * 16777619u;
    printf("%-6s hash %08x  (%08x,%08x)->%08x  (%08x,%08x)->%08x\n", ops[o].name, h,
           values[8], values[11], ops[o].fn(values[8], values[11]),
           values[18], values[5], ops[o].fn(values[18], values[5]));
  }

  /* 64-bit arithmetic through the compiler's helpers */
  volatile int64_t a = -1234567890123456789LL, b = 987654321LL;
  volatile uint64_t ua = 0xfedcba9876543210ULL, ub = 0x100000001ULL;
  printf("64-bit: %lld / %lld = %lld rem %lld\n", (long long)a, (long long)b, (long long)(a / b), (long long)(a % b));
  printf("64-bit: %llx /u %llx = %llx rem %llx\n", (unsigned long long)ua, (unsigned long long)ub,
         (unsigned long long)(ua / ub), (unsigned long long)(ua % ub));
  printf("64-bit: product %lld, shifts %llx %llx\n", (long long)(a * b), (unsigned long long)(ua >> 37),
         (unsigned long long)(ua << 29));
  return 0;
}
