/* memory: a memory-bound guest. Grows the heap by HEAP_BYTES (32 MiB) with brk, checks the new memory
 * reads as zero, then makes passes that touch every page with different strides (sequential words,
 * one word per page, a large odd stride that defeats locality) and prints a checksum per pass.
 * An optional argument sets the number of passes over the heap (default PASSES). */
#include "atoll.h"

#define HEAP_BYTES (32u << 20)
#define PAGE_BYTES 4096u
#define PASSES 3

int main(int argc, char **argv) {
  int passes = PASSES;
  if (argc > 1 && argv[1][0] >= '1' && argv[1][0] <= '9' && argv[1][1] == 0) passes = argv[1][0] - '0';

  uint32_t *heap = sbrk(HEAP_BYTES);
  if (heap == (void *)-1) {
    puts("brk could not grow the heap by 32 MiB");
    return 1;
  }
  uint32_t words = HEAP_BYTES / 4;
  uint32_t nonzero = 0;
  for (uint32_t i = 0; i < words; i += PAGE_BYTES / 4) nonzero += heap[i] != 0;
  printf("heap of %u MiB, pages not zero: %u\n", HEAP_BYTES >> 20, nonzero);

  for (int pass = 0; pass < passes; pass++) {
    /* sequential fill */
    for (uint32_t i = 0; i < words; i++) heap[i] = i * 2654435761u + (uint32_t)pass;
    /* one word per page, read-modify-write */
    for (uint32_t i = 0; i < words; i += PAGE_BYTES / 4) heap[i] ^= 0xA5A5A5A5u;
    /* a stride of 4097 words visits the pages out of order */
    uint32_t idx = 0, sum = 0;
    for (uint32_t k = 0; k < words / 8; k++) {
      sum = (sum << 1 | sum >> 31) ^ heap[idx];
      heap[idx] += k;
      idx += 4097;
      if (idx >= words) idx -= words;
    }
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < words; i += 61) h = (h ^ heap[i]) * 16777619u;
    printf("pass %d: strided %08x hash %08x\n", pass, sum, h);
  }

  uintptr_t top = sys_brk(0);
  sys_brk((uintptr_t)heap); /* shrink back */
  printf("break returned to start: %s\n", sys_brk(0) == (uintptr_t)heap ? "yes" : "no");
  printf("heap grew by %u bytes\n", (unsigned)(top - (uintptr_t)heap));
  return 0;
}
