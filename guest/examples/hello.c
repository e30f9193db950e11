/* hello: the smallest useful guest. Prints a greeting, then its arguments one per line. */
#include "atoll.h"

int main(int argc, char **argv) {
  puts("hello from atoll");
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  return 0;
}
