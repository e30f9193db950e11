/* amo: every A-extension instruction. Each AMO returns the old value and leaves op(old, operand) in
 * memory; min/max compare signed, minu/maxu unsigned. LR/SC: a paired SC succeeds (rd = 0) and stores;
 * an SC without a reservation, or after the reservation was used, fails (rd != 0) and stores nothing. */
#include "atoll.h"

static volatile uint32_t cell;

#define AMO(name)                                                                       \
  static uint32_t name##_w(volatile uint32_t *p, uint32_t v) {                          \
    uint32_t old;                                                                       \
    __asm__ volatile(#name ".w %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");  \
    return old;                                                                         \
  }
AMO(amoswap) AMO(amoadd) AMO(amoxor) AMO(amoand) AMO(amoor)
AMO(amomin) AMO(amomax) AMO(amominu) AMO(amomaxu)

struct amo { const char *name; uint32_t (*fn)(volatile uint32_t *, uint32_t); };
static const struct amo amos[] = {
  {"amoswap.w", amoswap_w}, {"amoadd.w", amoadd_w}, {"amoxor.w", amoxor_w}, {"amoand.w", amoand_w},
  {"amoor.w", amoor_w}, {"amomin.w", amomin_w}, {"amomax.w", amomax_w}, {"amominu.w", amominu_w},
  {"amomaxu.w", amomaxu_w},
};
static const uint32_t pairs[][2] = {
  {0, 0}, {5, 3}, {3, 5}, {0xffffffff, 1}, {1, 0xffffffff}, {0x80000000, 0x7fffffff},
  {0x7fffffff, 0x80000000}, {0xdeadbeef, 0x0ff00ff0}, {0xfffffffe, 0xfffffffd},
};

static uint32_t lr_w(volatile uint32_t *p) {
  uint32_t v;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(p) : "memory");
  return v;
}
static uint32_t sc_w(volatile uint32_t *p, uint32_t v) {
  uint32_t fail;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=r"(fail) : "r"(p), "r"(v) : "memory");
  return fail;
}

int main(void) {
  for (unsigned i = 0; i < sizeof amos / sizeof amos[0]; i++) {
    printf("%s:", amos[i].name);
    for (unsigned j = 0; j < sizeof pairs / sizeof pairs[0]; j++) {
      cell = pairs[j][0];
      uint32_t old = amos[i].fn(&cell, pairs[j][1]);
      printf(" %x->%x", old, cell);
    }
    printf("\n");
  }
  /* the aq/rl variants behave the same on one hart */
  uint32_t old;
  cell = 10;
  __asm__ volatile("amoadd.w.aqrl %0, %2, (%1)" : "=r"(old) : "r"(&cell), "r"(5) : "memory");
  printf("amoadd.w.aqrl: %u->%u\n", old, cell);

  cell = 100;
  uint32_t v = lr_w(&cell);
  uint32_t r = sc_w(&cell, v + 1);
  printf("lr/sc pair: loaded %u, sc %s, memory %u\n", v, r == 0 ? "succeeded" : "failed", cell);

  r = sc_w(&cell, 555);
  printf("sc after the reservation was used: %s, memory %u\n", r == 0 ? "succeeded" : "failed", cell);

  static volatile uint32_t other = 1234;
  lr_w(&cell);
  r = sc_w(&other, 99);
  printf("sc to an address other than the lr's: %s, memory %u\n", r == 0 ? "succeeded" : "failed", other);

  /* an atomic increment loop, the way spinlocks and counters use LR/SC */
  cell = 0;
  for (int i = 0; i < 1000; i++) {
    uint32_t t;
    do { t = lr_w(&cell); } while (sc_w(&cell, t + 3) != 0);
  }
  printf("lr/sc counter after 1000 increments of 3: %u\n", cell);

  /* a compare-and-swap built on LR/SC that fails when the value differs */
  cell = 7;
  uint32_t seen = lr_w(&cell);
  uint32_t swapped = 0;
  if (seen == 8) swapped = sc_w(&cell, 9) == 0;
  else sc_w(&cell, seen); /* release the reservation by storing the same value */
  printf("cas(7 expected 8): swapped %u, memory %u\n", swapped, cell);
  return 0;
}
