/* thread_clone_raw: clone's register and tid contract without the threads library. The child starts
 * with the parent's registers except a0 = 0, sp = the new stack and (with CLONE_SETTLS) tp = tls; the
 * tid options each do exactly their job: CLONE_CHILD_SETTID stores the tid at child_tid as the child
 * starts, CLONE_PARENT_SETTID at parent_tid, CLONE_CHILD_CLEARTID clears child_tid at exit, and none of
 * them touches a word it was not given. Prints relations only. */
#include "atoll.h"

/* long clone_probe(flags, stack, ptid, tls, ctid, struct seen *out): the parent sets s2 to a marker and
 * s3 to out before the ecall. The child records s2, sp, tp and a0, raises out->done, wakes it (private
 * futex) and exits. */
__asm__(
    "    .text\n"
    "    .type clone_probe, @function\n"
    "clone_probe:\n"
    "    addi  sp, sp, -16\n"
    "    sw    s2, 0(sp)\n"
    "    sw    s3, 4(sp)\n"
    "    li    s2, 0x5a5a1234\n"
    "    mv    s3, a5\n"
    "    li    a7, 220\n"
    "    ecall\n"
    "    beqz  a0, 1f\n"
    "    lw    s2, 0(sp)\n"
    "    lw    s3, 4(sp)\n"
    "    addi  sp, sp, 16\n"
    "    ret\n"
    "1:  sw    s2, 0(s3)\n"     /* out->s2 */
    "    sw    sp, 4(s3)\n"     /* out->sp */
    "    sw    tp, 8(s3)\n"     /* out->tp */
    "    sw    a0, 12(s3)\n"    /* out->a0 */
    "    beqz  a4, 3f\n"
    "    lw    t1, 0(a4)\n"      /* what child_tid holds as the child starts */
    "    sw    t1, 24(s3)\n"    /* out->ctid_at_start */
    "3:\n"
    "    li    a7, 178\n"       /* gettid */
    "    ecall\n"
    "    sw    a0, 16(s3)\n"    /* out->tid */
    "    addi  a0, s3, 20\n"    /* &out->done */
    "    li    t0, 1\n"
    "    amoswap.w.rl zero, t0, (a0)\n"
    "    li    a1, 129\n"       /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
    "    li    a2, 1\n"
    "    li    a3, 0\n"
    "    li    a7, 422\n"
    "    ecall\n"
    "    li    a0, 0\n"
    "    li    a7, 93\n"        /* exit */
    "    ecall\n"
    "2:  j     2b\n"
    "    .size clone_probe, . - clone_probe\n");

struct seen { uint32_t s2, sp, tp, a0; int tid; volatile int done; int ctid_at_start; };
long clone_probe(unsigned long flags, void *stack, volatile int *ptid, void *tls, volatile int *ctid,
                 struct seen *out);

static char stacks[4][4096] __attribute__((aligned(16)));
static volatile int ptid_word, ctid_word;

static void wait_done(struct seen *s) {
  while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) futex_wait(&s->done, 0, -1);
}
/* Wait for the kernel to clear a clear-tid word (shared futex, as the kernel wakes it). */
static void wait_cleared(volatile int *w) {
  for (int v; (v = *w) != 0;) sys_futex(w, FUTEX_WAIT, v, 0);
}

static const char *yn(int c) { return c ? "yes" : "no"; }

/* A failed clone ends the program at once rather than waiting for a child that never ran. */
static long check(long r) {
  if (r < 0) {
    printf("clone failed: %ld\n", r);
    sys_exit_group(1);
  }
  return r;
}

int main(void) {
  static struct seen s[4];
  uint32_t my_tp;
  __asm__ volatile("mv %0, tp" : "=r"(my_tp));

  /* 1: the bare thread flag set */
  long r = check(clone_probe(CLONE_THREAD_FLAGS, stacks[0] + 4096, &ptid_word, (void *)0x1000, &ctid_word, &s[0]));
  wait_done(&s[0]);
  printf("bare: tid returned: %s, child a0 = %u, s2 kept: %s, sp = new stack: %s, tp inherited: %s, "
         "tid words untouched: %s\n", yn(r > 0 && r == s[0].tid), s[0].a0, yn(s[0].s2 == 0x5a5a1234),
         yn(s[0].sp == (uint32_t)(stacks[0] + 4096)), yn(s[0].tp == my_tp), yn(ptid_word == 0 && ctid_word == 0));

  /* 2: CLONE_SETTLS */
  r = check(clone_probe(CLONE_THREAD_FLAGS | CLONE_SETTLS, stacks[1] + 4096, 0, (void *)0x12345670, 0, &s[1]));
  wait_done(&s[1]);
  printf("settls: tp = tls: %s, parent's tp unchanged: ", yn(s[1].tp == 0x12345670));
  uint32_t tp_now;
  __asm__ volatile("mv %0, tp" : "=r"(tp_now));
  printf("%s\n", yn(tp_now == my_tp));

  /* 3: CLONE_PARENT_SETTID only: set, and never cleared (no CLEARTID) */
  ptid_word = 0;
  r = check(clone_probe(CLONE_THREAD_FLAGS | CLONE_PARENT_SETTID, stacks[2] + 4096, &ptid_word, 0, &ctid_word, &s[2]));
  wait_done(&s[2]);
  for (int i = 0; i < 50; i++) sys_sched_yield(); /* let it finish exiting */
  printf("parent_settid: parent_tid = tid: %s, child_tid untouched: %s\n", yn(ptid_word == r && r == s[2].tid),
         yn(ctid_word == 0));

  /* 4: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID: set as the child starts, cleared at its exit */
  ctid_word = -1;
  r = check(clone_probe(CLONE_THREAD_FLAGS | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, stacks[3] + 4096,
                        &ptid_word, 0, &ctid_word, &s[3]));
  wait_cleared(&ctid_word);
  printf("child_settid+cleartid: child ran: %s, child_tid = tid as it started: %s, cleared at exit: %s, "
         "parent_tid untouched: %s\n", yn(s[3].done && s[3].tid == r), yn(s[3].ctid_at_start == r),
         yn(ctid_word == 0), yn(ptid_word == s[2].tid));
  return 0;
}
