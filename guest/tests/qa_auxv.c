/* qa_auxv: the initial stack as Linux lays it out: argc, argv, envp, auxv; the values that do not
 * depend on the loader's randomness (AT_PAGESZ, AT_PHENT, AT_PHNUM, AT_ENTRY, AT_UID...). */
#include <atoll.h>

int main(int argc, char **argv, char **envp) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s len %u\n", i, i ? argv[i] : "(name)", (unsigned)strlen(argv[i]));
  printf("argv[argc]=%p\n", (void *)argv[argc]);
  printf("align argv %u\n", (unsigned)((uintptr_t)argv & 3));
  char **e = envp;
  while (*e) e++;
  uint32_t *aux = (uint32_t *)(e + 1);
  int n = 0, seen_random = 0, seen_pagesz = 0;
  for (; aux[0] != 0 && n < 64; aux += 2, n++) {
    uint32_t t = aux[0], v = aux[1];
    switch (t) {
      case 6: printf("AT_PAGESZ %u\n", v); seen_pagesz = 1; break;
      case 4: printf("AT_PHENT %u\n", v); break;
      case 5: printf("AT_PHNUM %u\n", v); break;
      case 9: printf("AT_ENTRY %x\n", v); break;
      case 11: printf("AT_UID %u\n", v); break;
      case 12: printf("AT_EUID %u\n", v); break;
      case 13: printf("AT_GID %u\n", v); break;
      case 14: printf("AT_EGID %u\n", v); break;
      case 23: printf("AT_SECURE %u\n", v); break;
      case 17: printf("AT_CLKTCK %u\n", v); break;
      case 25: {
        seen_random = 1;
        volatile uint8_t *p = (volatile uint8_t *)v;
        unsigned s = 0;
        for (int i = 0; i < 16; i++) s += p[i];
        printf("AT_RANDOM readable %d\n", s >= 0u);
        break;
      }
      case 3: printf("AT_PHDR present\n"); {
        uint32_t *ph = (uint32_t *)v; printf("phdr[0].type %u\n", ph[0]); } break;
      default: break;
    }
  }
  printf("AT_NULL reached %d random %d pagesz %d\n", aux[0] == 0, seen_random, seen_pagesz);
  printf("sp aligned: %d\n", (int)(((uintptr_t)argv - 4) % 16 == 0));
  return argc;
}
