/* bigwrite: one 200 000-byte write to stdout arrives whole and in order, and returns its length. */
#include "atoll.h"

static char buf[200000];

int main(void) {
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (char)('a' + i % 26);
  for (unsigned i = 99; i < sizeof buf; i += 100) buf[i] = '\n';
  long n = sys_write(STDOUT_FILENO, buf, sizeof buf);
  printf("write returned %ld\n", n);
  return 0;
}
