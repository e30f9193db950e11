/* brk: the program break. It starts page-aligned at or above _end, grows on request with zeroed memory,
 * refuses to move below its start or to an address it cannot back (returning the unchanged break), and
 * shrinks; memory given back and taken again reads as zero. Only relations are printed, never addresses. */
#include "atoll.h"

extern char _end[];

int main(void) {
  uintptr_t start = sys_brk(0);
  printf("initial break at or above _end: %s\n", start >= (uintptr_t)_end ? "yes" : "no");
  printf("initial break page-aligned: %s\n", (start & 4095) == 0 ? "yes" : "no");
  printf("brk(0) again is unchanged: %s\n", sys_brk(0) == start ? "yes" : "no");

  uintptr_t want = start + 1000000;
  uintptr_t got = sys_brk(want);
  printf("grow by 1000000: %s\n", got == want ? "moved exactly" : "did not move");
  volatile uint8_t *heap = (volatile uint8_t *)start;
  uint32_t nonzero = 0;
  for (uint32_t i = 0; i < 1000000; i++) nonzero += heap[i] != 0;
  printf("new memory nonzero bytes: %u\n", nonzero);
  for (uint32_t i = 0; i < 1000000; i += 7) heap[i] = (uint8_t)(i | 1);
  uint32_t sum = 0;
  for (uint32_t i = 0; i < 1000000; i += 7) sum += heap[i];
  printf("written and read back, sum %u\n", sum);

  printf("brk below the start refused: %s\n", sys_brk(start - 4096) == want ? "yes" : "no");
  printf("brk to 0xfffff000 refused: %s\n", sys_brk(0xfffff000u) == want ? "yes" : "no");

  uintptr_t small = start + 8192;
  printf("shrink to start+8192: %s\n", sys_brk(small) == small ? "yes" : "no");
  printf("kept memory survives: %s\n", heap[7] == 7 ? "yes" : "no");
  got = sys_brk(want);
  nonzero = 0;
  for (uint32_t i = 8192; i < 1000000; i++) nonzero += heap[i] != 0;
  printf("regrown: %s, nonzero bytes above the kept pages: %u\n", got == want ? "yes" : "no", nonzero);

  /* grow in many small steps, as malloc does */
  uintptr_t cur = sys_brk(0);
  int steps = 0;
  for (int i = 0; i < 256; i++) {
    uintptr_t next = sys_brk(cur + 4096 + 24);
    if (next != cur + 4096 + 24) break;
    ((volatile uint8_t *)cur)[4095] = 1;
    cur = next;
    steps++;
  }
  printf("small steps taken: %d of 256\n", steps);
  return 0;
}
