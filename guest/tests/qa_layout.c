/* qa_layout: data and bss sizes around page boundaries with lld's default layout (no linker script),
 * where the data segment's file bytes end mid-page and the bss starts right after them: every byte of
 * data must be as initialised, every byte of bss zero, including the rest of the page the data ends in,
 * and the heap must start above all of it. */
#include <atoll.h>
extern char _end[];

static volatile uint8_t d1[4095] = {1, 2, 3, [4094] = 0x7e};
static volatile uint8_t d2[4097] = {9, [4096] = 0x5a};
static volatile uint32_t d3[3] = {0xdeadbeef, 0, 0xcafef00d};
static volatile uint8_t b1[4095];
static volatile uint8_t b2[4096];
static volatile uint8_t b3[1];
static volatile uint8_t b4[8191];
static volatile uint64_t b5;

static int all_zero(const volatile uint8_t *p, unsigned n) {
  for (unsigned i = 0; i < n; i++) if (p[i]) return 0;
  return 1;
}

int main(void) {
  printf("d1 %d %d %d %x zeros %d\n", d1[0], d1[1], d1[2], d1[4094], all_zero(d1 + 3, 4091));
  printf("d2 %d %x zeros %d\n", d2[0], d2[4096], all_zero(d2 + 1, 4095));
  printf("d3 %x %x %x\n", d3[0], d3[1], d3[2]);
  printf("bss zero %d %d %d %d %d\n", all_zero(b1, sizeof b1), all_zero(b2, sizeof b2), all_zero(b3, 1),
         all_zero(b4, sizeof b4), b5 == 0);
  b1[4094] = 1; b4[8190] = 2; b5 = ~0ull;
  uintptr_t brk0 = sys_brk(0);
  printf("heap above bss: %d\n", brk0 >= (uintptr_t)_end && brk0 >= (uintptr_t)(b4 + sizeof b4));
  /* the page the data ends in, past the bss, up to the next page: zero too */
  uintptr_t end = (uintptr_t)_end, page_end = (end + 4095) & ~(uintptr_t)4095;
  printf("tail zero %d\n", all_zero((const volatile uint8_t *)end, (unsigned)(page_end - end)));
  return 0;
}
