/* thread_regs: every thread's registers survive preemption and context switches. THREADS threads and
 * the first thread each fill 25 registers (s0-s11, t0-t6, a2-a7) with values derived from their own
 * seed, then re-check all of them, and gp and tp, ITERATIONS times, calling sched_yield every 256
 * rounds; a kernel that restored another thread's registers, or lost one across a timer interrupt,
 * shows up as a register number. Prints one line per thread: 0 means intact. */
#include "atoll.h"

#define THREADS 3
#define ITERATIONS 20000

/* int reg_soak(uint32_t seed, uint32_t iterations): 0, or the number (1-27) of the first register found
 * changed. Register k (1-25, in the .irp order) holds seed + 17 * k; 26 is gp, 27 tp. */
__asm__(
    "    .text\n"
    "    .type reg_soak, @function\n"
    "reg_soak:\n"
    "    addi  sp, sp, -64\n"
    "    sw    ra, 0(sp)\n"
    "    .set  off, 4\n"
    "    .irp  r, s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11\n"
    "    sw    \\r, off(sp)\n"
    "    .set  off, off + 4\n"
    "    .endr\n"
    "    sw    a0, 52(sp)\n"          /* the seed */
    "    sw    gp, 56(sp)\n"
    "    sw    tp, 60(sp)\n"
    "    .set  k, 17\n"
    "    .irp  r, s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11,t0,t1,t2,t3,t4,t5,t6,a2,a3,a4,a5,a6,a7\n"
    "    addi  \\r, a0, k\n"
    "    .set  k, k + 17\n"
    "    .endr\n"
    "    mv    ra, a1\n"              /* rounds left */
    "1:\n"
    "    .set  k, 17\n"
    "    .irp  r, s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11,t0,t1,t2,t3,t4,t5,t6,a2,a3,a4,a5,a6,a7\n"
    "    lw    a0, 52(sp)\n"
    "    addi  a0, a0, k\n"
    "    li    a1, k / 17\n"
    "    bne   a0, \\r, 9f\n"
    "    .set  k, k + 17\n"
    "    .endr\n"
    "    li    a1, 26\n"
    "    lw    a0, 56(sp)\n"
    "    bne   a0, gp, 9f\n"
    "    li    a1, 27\n"
    "    lw    a0, 60(sp)\n"
    "    bne   a0, tp, 9f\n"
    "    addi  ra, ra, -1\n"
    "    andi  a0, ra, 255\n"
    "    bnez  a0, 2f\n"
    "    li    a7, 124\n"             /* sched_yield; ecall changes only a0 */
    "    ecall\n"
    "    lw    a0, 52(sp)\n"
    "    addi  a7, a0, 17 * 25\n"     /* a7 is register 25 */
    "2:\n"
    "    bnez  ra, 1b\n"
    "    li    a1, 0\n"
    "9:\n"
    "    mv    a0, a1\n"
    "    lw    ra, 0(sp)\n"
    "    .set  off, 4\n"
    "    .irp  r, s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11\n"
    "    lw    \\r, off(sp)\n"
    "    .set  off, off + 4\n"
    "    .endr\n"
    "    addi  sp, sp, 64\n"
    "    ret\n"
    "    .size reg_soak, . - reg_soak\n");

int reg_soak(uint32_t seed, uint32_t iterations);

static int soaker(void *arg) {
  return reg_soak((uint32_t)(uintptr_t)arg, ITERATIONS);
}

int main(void) {
  struct thread t[THREADS];
  int started = 0;
  for (int i = 0; i < THREADS; i++)
    started += thread_create(&t[i], soaker, (void *)(uintptr_t)(0x10000000u * (i + 1) + 1000 * i)) == 0;
  printf("threads started: %d\n", started);
  int mine = reg_soak(0x7000abcdu, ITERATIONS);
  printf("first thread: %d\n", mine);
  for (int i = 0; i < THREADS; i++) printf("thread %d: %d\n", i, thread_join(&t[i]));
  return 0;
}
