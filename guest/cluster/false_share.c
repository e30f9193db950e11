/* False sharing made visible (docs/dsm.md): a process maps the named region "fs" of distributed shared memory
 * (Atoll's dsm_map, kept coherent between nodes by IVY) and adds 1 to its own counter N times. Two copies on two
 * nodes count x and y: with the layout "same" both words are in one page (x at offset 0, y at 4), so every
 * write of one takes the page from the other, though they never touch the same word; with "padded" y is at
 * offset 4096, a page of its own, and each page stays where it is written. Then each waits at a barrier in the
 * region (page 2) for all the procs and prints its count and the virtual time its increments took.
 *   false_share x|y same|padded N [amo|plain] [procs]      (default amo, 2 procs)
 *   false_share errors                                      dsm_map's refusals */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "raw_calls.h"

static long dsm_map(const char *name, unsigned long bytes) { return mq_ecall(SYS_dsm_map, (long)name, (long)bytes, 0, 0, 0); }

/* picolibc's multilib is rv32im: the AMO is written out (the machine runs rv32ima). */
static inline unsigned amo_add(volatile unsigned *p, unsigned v) {
  unsigned old;
  __asm__ volatile(".option push\n.option arch, +a\namoadd.w.aqrl %0, %2, (%1)\n.option pop" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}

static long long mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* dsm_map's refusals, one line each (the result, 0 or -errno); the first one maps "fs" for real. */
static int errors(void) {
  char longname[ATOLL_DSM_NAME_MAX + 1];
  memset(longname, 'a', ATOLL_DSM_NAME_MAX);
  longname[ATOLL_DSM_NAME_MAX] = 0;
  long ok = dsm_map("fs", 4096);
  printf("map: %s\n", ok < 0 ? strerror((int)-ok) : "ok");
  printf("again: %ld\n", ok < 0 ? ok : dsm_map("fs", 4096));
  printf("empty name: %ld\n", dsm_map("", 4096));
  printf("no bytes: %ld\n", dsm_map("e1", 0));
  printf("too big: %ld\n", dsm_map("e2", ATOLL_DSM_BYTES_MAX + 1));
  printf("long name: %ld\n", dsm_map(longname, 4096));
  printf("bad pointer: %ld\n", dsm_map((const char *)16, 4096));
  if (ok >= 0) {
    volatile unsigned *w = (volatile unsigned *)ok;
    *w = 7;
    printf("word: %u\n", *w);
    /* A process with a region does not move (its image would hold the region's pages as shared memory). */
    printf("migrate: %ld\n", mq_ecall(SYS_migrate, (long)"n2", ATOLL_MIGRATE_STOP, 0, 0, 0));
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "errors") == 0) return errors();
  if (argc < 4) { printf("usage: false_share x|y same|padded N [amo|plain] [procs]\n"); return 2; }
  int y = strcmp(argv[1], "y") == 0, padded = strcmp(argv[2], "padded") == 0;
  int n = atoi(argv[3]);
  int plain = argc > 4 && strcmp(argv[4], "plain") == 0;
  unsigned procs = argc > 5 ? (unsigned)atoi(argv[5]) : 2;
  long base = dsm_map("fs", 3 * 4096);
  if (base < 0) { printf("dsm_map: %s\n", strerror((int)-base)); return 1; }
  volatile unsigned *counter = (volatile unsigned *)(base + (y ? (padded ? 4096 : 4) : 0));
  volatile unsigned *arrived = (volatile unsigned *)(base + 8192);
  long long t0 = mono_ns();
  for (int i = 0; i < n; i++) {
    if (plain) *counter = *counter + 1;
    else amo_add(counter, 1);
  }
  long long t1 = mono_ns();
  unsigned mine = *counter;
  amo_add(arrived, 1);
  while (*arrived < procs) {}
  printf("%s: %u (%lld ns)\n", argv[1], mine, t1 - t0);
  return mine == (unsigned)n ? 0 : 1;
}
