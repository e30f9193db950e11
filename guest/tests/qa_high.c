/* qa_high: a C program linked at 0x80000000 (link-high.ld, the riscv-tests' address): code, data and
 * bss up there, a heap that grows from above them, misaligned data, the auxv's AT_PHDR and AT_ENTRY. */
#include <atoll.h>
extern char _end[];
static int data_word = 42;
static volatile char bss_block[10000];

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv;
  printf("main at %p, data %d at %p, bss zero %d\n", (void *)main, data_word, (void *)&data_word, bss_block[9999]);
  char *b0 = (char *)sys_brk(0);
  printf("break above _end: %d, page aligned %d\n", b0 >= _end, ((uintptr_t)b0 & 4095) == 0);
  char *b1 = (char *)sys_brk((uintptr_t)b0 + 100000);
  printf("grew %ld\n", (long)(b1 - b0));
  int zero = 0;
  for (long i = 0; i < 100000; i += 512) zero += b0[i];
  memset(b0, 0x5a, 100000);
  printf("heap zeroed %d, written %d\n", zero, b0[99999]);
  printf("shrank %ld\n", (long)((char *)sys_brk((uintptr_t)b0 + 10) - b0));
  volatile uint32_t *mis = (volatile uint32_t *)((char *)&data_word + 1);
  *mis = 0x11223344;
  printf("misaligned %x data %x\n", *mis, (unsigned)data_word);
  char **e = envp;
  while (*e) e++;
  for (uint32_t *aux = (uint32_t *)(e + 1); aux[0]; aux += 2)
    if (aux[0] == 3 || aux[0] == 5 || aux[0] == 9) printf("aux %u = %x\n", aux[0], aux[1]);
  return 0;
}
