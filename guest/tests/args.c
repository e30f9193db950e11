/* args: the argument vector arrives intact however it looks: many arguments, long ones, empty ones,
 * non-ASCII bytes. Prints argc, then per argument its length and a hash (argv[0] is skipped: its
 * spelling depends on how the runner names the program) and checks the pointer array ends with
 * NULL. */
#include "atoll.h"

static uint32_t fnv(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

int main(int argc, char **argv) {
  printf("argc %d, argv[argc] %s\n", argc, argv[argc] == 0 ? "NULL" : "not NULL");
  uint32_t total = 0;
  for (int i = 1; i < argc; i++) {
    size_t n = strlen(argv[i]);
    total += (uint32_t)n;
    if (argc <= 20 || i % 16 == 1) printf("argv[%d]: %u bytes, hash %08x\n", i, (unsigned)n, fnv(argv[i]));
  }
  printf("total %u bytes\n", total);
  return 0;
}
