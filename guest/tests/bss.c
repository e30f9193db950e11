/* bss: uninitialised globals start at zero (all of a large bss, across many pages), initialised data
 * holds its values, both are writable, and constant data is readable. */
#include "atoll.h"

static uint32_t big[300000];      /* ~1.2 MiB of bss */
static uint8_t small_bss[13];
static uint32_t data_words[4] = { 1, 0xdeadbeef, 0, 42 };
static const char message[] = "constant data";
static uint64_t data64 = 0x0123456789abcdefULL;

int main(void) {
  uint32_t nonzero = 0;
  for (uint32_t i = 0; i < sizeof big / sizeof big[0]; i++) nonzero += big[i] != 0;
  for (uint32_t i = 0; i < sizeof small_bss; i++) nonzero += small_bss[i] != 0;
  printf("bss words not zero: %u\n", nonzero);
  printf("data: %u %08x %u %u\n", data_words[0], data_words[1], data_words[2], data_words[3]);
  printf("data64: %llx\n", (unsigned long long)data64);
  printf("rodata: %s (%u bytes)\n", message, (unsigned)strlen(message));
  for (uint32_t i = 0; i < sizeof big / sizeof big[0]; i += 1024) big[i] = i;
  data_words[2] = 77;
  uint32_t sum = 0;
  for (uint32_t i = 0; i < sizeof big / sizeof big[0]; i++) sum += big[i];
  printf("bss after writes sums to %u, data[2] = %u\n", sum, data_words[2]);
  return 0;
}
