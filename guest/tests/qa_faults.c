/* qa_faults: one fault of each kind, chosen by argv[1], after some output on both streams: the process
 * must die by the same signal as under Linux with everything written before the fault delivered. */
#include <atoll.h>

typedef void (*fn_t)(void);
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  puts("before the fault");
  eputs("stderr before the fault");
  volatile uint32_t *p;
  switch (argv[1][0]) {
    case 'n': p = 0; return (int)*p;                                   /* load from page 0 */
    case 'w': p = (uint32_t *)0x10000; *p = 1; return 0;                /* store to code */
    case 'k': p = (uint32_t *)0xc0001000u; return (int)*p;              /* load from the kernel half */
    case 'h': p = (uint32_t *)0x20000000u; *p = 1; return 0;            /* store to an unmapped hole */
    case 'x': { /* execute data: a nop and a ret written at run time into a non-executable page */
      static volatile uint32_t data[4];
      data[0] = 0x00000013; data[1] = 0x00008067;
      fn_t f = (fn_t)(uintptr_t)data;
      __asm__ volatile("" : "+r"(f));
      f();
      return 0;
    }
    case 'K': { /* execute the stack */
      volatile uint32_t code[2] = {0x00000013, 0x00008067};
      fn_t f = (fn_t)(uintptr_t)code;
      __asm__ volatile("fence.i" : "+r"(f) :: "memory");
      f();
      return 0;
    }
    case 'H': { /* execute the heap */
      volatile uint32_t *code = (volatile uint32_t *)sbrk(4096);
      code[0] = 0x00000013; code[1] = 0x00008067;
      fn_t f = (fn_t)(uintptr_t)code;
      __asm__ volatile("fence.i" : "+r"(f) :: "memory");
      f();
      return 0;
    }
    case 'j': ((fn_t)(void *)0x30000000u)(); return 0;                  /* jump to nothing */
    case 'i': __asm__ volatile(".word 0xffffffff"); return 0;         /* illegal instruction */
    case 'z': __asm__ volatile(".word 0x00000000"); return 0;         /* the all-zero instruction */
    case 'c': __asm__ volatile("csrw mstatus, zero"); return 0;       /* a machine CSR */
    case 'b': __asm__ volatile("ebreak"); return 0;                    /* breakpoint */
    case 'a': { static uint32_t w[2]; int32_t o; __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(o) : "r"((char *)w + 2), "r"(1) : "memory"); return o; } /* misaligned AMO */
    case 'l': { static uint32_t w[2]; int32_t o; __asm__ volatile("lr.w %0, (%1)" : "=r"(o) : "r"((char *)w + 1) : "memory"); return o; } /* misaligned LR */
    case 's': __asm__ volatile("wfi"); puts("after wfi"); return 0;   /* privileged instruction */
    case 'r': { uint32_t c; __asm__ volatile("csrr %0, cycle" : "=r"(c)); puts("cycle readable"); return 0; }
    case 'e': { uint32_t c; __asm__ volatile("csrr %0, instreth" : "=r"(c)); puts("instreth readable"); return 0; }
    case 'u': { uint32_t c; __asm__ volatile("csrw cycle, zero" : "=r"(c)); puts("cycle written"); return 0; }
    case 'S': __asm__ volatile("sret"); return 0;
    case 'M': __asm__ volatile("mret"); return 0;
    case 'V': __asm__ volatile("sfence.vma"); return 0;
  }
  return 3;
}
