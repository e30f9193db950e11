/* printf: the runtime's printf and snprintf over every conversion, flag, width and length they
 * support. Portable: `make native` builds it against the host C library, whose output must be the
 * same byte for byte (test/guest/native.test.ts checks that). */
#include "atoll.h"

int main(void) {
  printf("[%d] [%d] [%d] [%i]\n", 0, -1, 2147483647, -2147483647 - 1);
  printf("[%u] [%u] [%x] [%X] [%o]\n", 0u, 4294967295u, 0xdeadbeefu, 0xdeadbeefu, 8u);
  printf("[%5d] [%-5d] [%05d] [%05d] [%3d]\n", 42, 42, 42, -42, 12345);
  printf("[%8x] [%08x] [%-8x] [%2x]\n", 0xabcu, 0xabcu, 0xabcu, 0xabcdefu);
  printf("[%ld] [%lu] [%lx]\n", -123456789L, 4000000000UL, 0xcafef00dUL);
  printf("[%lld] [%lld] [%llu] [%llx] [%016llx]\n", -9223372036854775807LL - 1, 9223372036854775807LL,
         18446744073709551615ULL, 0x123456789abcdefULL, 0xfedULL);
  printf("[%c%c%c] [%3c] [%-3c]\n", 'a', 'b', 'c', 'x', 'y');
  printf("[%s] [%10s] [%-10s] [%s]\n", "text", "right", "left", "");
  printf("[%hd] [%hhu] [%zu]\n", (short)-5, (unsigned char)200, (size_t)12345);
  printf("[100%%] [%%d]\n");
  char buf[16];
  int n = snprintf(buf, sizeof buf, "%s-%d-%x", "truncated output", 12345, 0xffffu);
  printf("snprintf returned %d, kept \"%s\"\n", n, buf);
  n = snprintf(buf, sizeof buf, "%d", 7);
  printf("snprintf returned %d, kept \"%s\"\n", n, buf);
  n = snprintf(buf, 1, "abc");
  printf("snprintf with room for nothing returned %d, kept \"%s\"\n", n, buf);
  for (int i = -3; i <= 3; i++) printf("%d%s", i * 1111111, i < 3 ? "," : "\n");
  return 0;
}
