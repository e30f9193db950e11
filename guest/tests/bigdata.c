/* bigdata: large initialised segments are loaded byte for byte: a 64 KiB constant table (in the
 * read-only text segment) and a 64 KiB writable table (in the data segment, spanning 16+ pages), both
 * compared with the formula that generated them, then the writable one is modified and re-hashed. */
#include "atoll.h"

#define V(n) ((uint32_t)((n) * 2654435761u ^ ((n) >> 3)))
#define B4(n) V(n), V((n) + 1), V((n) + 2), V((n) + 3)
#define B16(n) B4(n), B4((n) + 4), B4((n) + 8), B4((n) + 12)
#define B64(n) B16(n), B16((n) + 16), B16((n) + 32), B16((n) + 48)
#define B256(n) B64(n), B64((n) + 64), B64((n) + 128), B64((n) + 192)
#define B1K(n) B256(n), B256((n) + 256), B256((n) + 512), B256((n) + 768)
#define B4K(n) B1K(n), B1K((n) + 1024), B1K((n) + 2048), B1K((n) + 3072)
#define B16K(n) B4K(n), B4K((n) + 4096), B4K((n) + 8192), B4K((n) + 12288)
#define WORDS 16384u

static const uint32_t constant_table[WORDS] = { B16K(0) };
static uint32_t writable_table[WORDS] = { B16K(100000) };

static uint32_t check(const volatile uint32_t *t, uint32_t base, uint32_t *hash) {
  uint32_t wrong = 0, h = 2166136261u;
  for (uint32_t i = 0; i < WORDS; i++) {
    wrong += t[i] != V(base + i);
    h = (h ^ t[i]) * 16777619u;
  }
  *hash = h;
  return wrong;
}

int main(void) {
  uint32_t h;
  uint32_t wrong = check(constant_table, 0, &h);
  printf("constant table: %u words differ from the formula, hash %08x\n", wrong, h);
  wrong = check(writable_table, 100000, &h);
  printf("writable table: %u words differ from the formula, hash %08x\n", wrong, h);
  for (uint32_t i = 0; i < WORDS; i += 1000) writable_table[i] ^= 0xffffffffu;
  wrong = check(writable_table, 100000, &h);
  printf("after flipping every 1000th word: %u differ, hash %08x\n", wrong, h);
  return 0;
}
