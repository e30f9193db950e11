/* qa_amo: every AMO on varied values including the signed and unsigned extremes, LR/SC loops and a
 * store-conditional without a reservation. */
#include <atoll.h>
static const int32_t VALS[] = {0, 1, -1, 0x7fffffff, (int32_t)0x80000000, 5, -5, 0x12345678, (int32_t)0xfedcba98};
#define NV (sizeof VALS / sizeof VALS[0])
#define AMO(op, mem, v, old) __asm__ volatile(op " %0, %2, (%1)" : "=r"(old) : "r"(mem), "r"(v) : "memory")

int main(void) {
  static volatile int32_t cell;
  for (unsigned i = 0; i < NV; i++)
    for (unsigned j = 0; j < NV; j++) {
      int32_t a = VALS[i], b = VALS[j], o;
      printf("%08x %08x:", (unsigned)a, (unsigned)b);
#define T(name) cell = a; AMO(name, &cell, b, o); printf(" %08x/%08x", (unsigned)o, (unsigned)cell);
      T("amoswap.w") T("amoadd.w") T("amoxor.w") T("amoand.w") T("amoor.w")
      T("amomin.w") T("amomax.w") T("amominu.w") T("amomaxu.w")
      T("amoadd.w.aq") T("amomax.w.rl") T("amominu.w.aqrl")
      puts("");
    }
  /* rd = x0 still performs the operation */
  cell = 10;
  __asm__ volatile("amoadd.w x0, %1, (%0)" :: "r"(&cell), "r"(5) : "memory");
  printf("amoadd rd=x0: %d\n", cell);
  /* lr/sc counter loop */
  cell = 0;
  for (int i = 0; i < 1000; i++) {
    int32_t v, fail;
    do {
      __asm__ volatile("lr.w %0, (%2)\n addi %0, %0, 3\n sc.w %1, %0, (%2)" : "=&r"(v), "=&r"(fail) : "r"(&cell) : "memory");
    } while (fail);
  }
  printf("lrsc count %d\n", cell);
  /* sc without reservation: fails, memory untouched */
  int32_t f;
  cell = 77;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=r"(f) : "r"(&cell), "r"(99) : "memory");
  printf("sc no resv: fail=%d cell=%d\n", f != 0, cell);
  /* second sc after a successful one fails */
  int32_t v, f1, f2;
  __asm__ volatile("lr.w %0, (%3)\n sc.w %1, %4, (%3)\n sc.w %2, %5, (%3)" : "=&r"(v), "=&r"(f1), "=&r"(f2) : "r"(&cell), "r"(1), "r"(2) : "memory");
  printf("sc twice: %d %d %d cell=%d\n", v, f1, f2 != 0, cell);
  /* lr.w value returned sign extended, sc.w rd = 0 on success */
  cell = -42;
  __asm__ volatile("lr.w %0, (%2)\n sc.w %1, %0, (%2)" : "=&r"(v), "=&r"(f1) : "r"(&cell) : "memory");
  printf("lr -42: %d %d\n", v, f1);
  return 0;
}
