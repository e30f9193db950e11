/* qa_write: write(2) edge cases: buffers that run past the break into unmapped memory, through the
 * read-only code, huge counts. A buffer that is not all readable gives -EFAULT and writes nothing, as
 * under qemu-user (Linux would write the readable part and return its length: docs/qa.md). */
#include <atoll.h>

int main(void) {
  char *b0 = (char *)sys_brk(0);
  char *top = (char *)sys_brk((uintptr_t)b0 + 4096);
  memset(top - 16, 'p', 16);
  long r;
  r = sys_write(1, top - 16, 16);  printf(" <- exact end: %ld\n", r);
  r = sys_write(1, top - 16, 17);  printf(" <- one byte past the break: %ld\n", r);
  r = sys_write(1, top - 16, 5000); printf(" <- a page past: %ld\n", r);
  r = sys_write(1, top, 1);        printf(" <- at the break: %ld\n", r);
  r = sys_write(1, (void *)main, 4); printf(" <- from code: %d\n", r > 0);
  r = sys_write(1, top - 4, 0x7fffffff); printf(" <- huge count: %ld\n", r);
  r = sys_write(1, top - 4, 0xffffffffu); printf(" <- count -1: %ld\n", r);
  /* Left out: write(5, NULL, 1) is -EBADF on Linux (the fd is checked first) but -EFAULT under qemu-user,
   * and a write to fd 0 depends on how the caller opened stdin. */
  r = sys_write(-1, "x", 1);       printf("fd -1: %ld\n", r);
  r = sys_write(1, "", 0);         printf("nothing: %ld\n", r);
  return 0;
}
