/* lld_layout: the same runtime linked with lld's default layout instead of link.ld (a read-only segment
 * holding the ELF headers and rodata, then text, then data and bss, each in its own page, plus
 * PT_PHDR and PT_GNU_STACK headers), as a program built without Atoll's linker script is. */
#include "atoll.h"

static const char greeting[] = "linked with the default lld layout";
static int counter = 41;
static uint32_t zeroes[2048];

int main(void) {
  volatile uint32_t *z = zeroes; /* read through volatile so the bss is really there */
  uint32_t nonzero = 0;
  for (unsigned i = 0; i < sizeof zeroes / sizeof zeroes[0]; i++) nonzero += z[i] != 0;
  z[100] = 1;
  counter++;
  printf("%s: counter %d, bss nonzero %u\n", greeting, counter, nonzero);
  return 0;
}
