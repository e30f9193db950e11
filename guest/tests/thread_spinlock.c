/* thread_spinlock: AMO-based locks and counters across threads. Each of THREADS threads adds to
 * plain (non-atomic) counters ROUNDS times under (1) the amoswap test-and-set lock, (2) the ticket
 * lock, (3) a lock built on LR/SC; and does ROUNDS amoadd.w on a shared counter with no lock. All four
 * totals must be exact. argv[1], if given, sets ROUNDS (a ticket lock convoys when its next holder is not
 * running, so a host with busy CPUs runs this slowly under qemu-user). */
#include "atoll.h"

#define THREADS 4
#define ROUNDS_DEFAULT 3000

static int rounds = ROUNDS_DEFAULT;

static spinlock_t tas = SPINLOCK_INIT;
static ticketlock_t ticket = TICKETLOCK_INIT;
static volatile int lrsc_word;
static volatile unsigned c_tas, c_ticket, c_lrsc, c_amo;

static void lrsc_lock(volatile int *p) {
  int tries = 0;
  for (;;) {
    int v, fail = 1;
    __asm__ volatile("lr.w.aq %0, (%1)" : "=r"(v) : "r"(p) : "memory");
    if (v == 0) __asm__ volatile("sc.w %0, %2, (%1)" : "=r"(fail) : "r"(p), "r"(1) : "memory");
    if (!fail) return;
    if (++tries >= SPIN_YIELD_AFTER) {
      sys_sched_yield();
      tries = 0;
    }
  }
}
static void lrsc_unlock(volatile int *p) { __atomic_store_n(p, 0, __ATOMIC_RELEASE); }

static int worker(void *arg) {
  (void)arg;
  for (int i = 0; i < rounds; i++) {
    spin_lock(&tas);
    c_tas = c_tas + 1;
    spin_unlock(&tas);
    ticket_lock(&ticket);
    c_ticket = c_ticket + 1;
    ticket_unlock(&ticket);
    lrsc_lock(&lrsc_word);
    c_lrsc = c_lrsc + 1;
    lrsc_unlock(&lrsc_word);
    __asm__ volatile("amoadd.w zero, %1, (%0)" : : "r"(&c_amo), "r"(1) : "memory");
  }
  return 0;
}

static int parse(const char *s) {
  int v = 0;
  while (*s >= '0' && *s <= '9' && v < 1000000) v = v * 10 + (*s++ - '0');
  return v;
}

int main(int argc, char **argv) {
  struct thread t[THREADS];
  if (argc > 1) rounds = parse(argv[1]);
  if (rounds <= 0) rounds = ROUNDS_DEFAULT;
  for (int i = 0; i < THREADS; i++) thread_create(&t[i], worker, 0);
  for (int i = 0; i < THREADS; i++) thread_join(&t[i]);
  unsigned want = THREADS * (unsigned)rounds;
  printf("test-and-set: %u of %u\n", c_tas, want);
  printf("ticket: %u of %u (tickets taken %d, served %d)\n", c_ticket, want, ticket.next, ticket.serving);
  printf("lr/sc: %u of %u\n", c_lrsc, want);
  printf("amoadd: %u of %u\n", c_amo, want);
  printf("locks free at the end: %s\n", !tas.locked && !lrsc_word && ticket.next == ticket.serving ? "yes" : "no");
  return 0;
}
