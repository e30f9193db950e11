/* The threads library: thread_create/thread_join over clone and futex, a test-and-set and a ticket
 * spinlock on AMOs, Drepper's futex mutex and a sequence-number condition variable. Limits: at most
 * THREADS_MAX live threads; stacks are THREAD_STACK_BYTES each, taken from the program break under a
 * spinlock and kept for reuse after a join (never returned to the break), so a program that also calls
 * sbrk from several threads must serialise those calls itself. */
#include "atoll.h"

/* ---- futex convenience ---- */

long futex_wait(volatile int *uaddr, int val, int64_t timeout_ns) {
  if (timeout_ns < 0) return sys_futex(uaddr, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, 0);
  struct timespec64 ts = { timeout_ns / 1000000000LL, timeout_ns % 1000000000LL };
  return sys_futex(uaddr, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, &ts);
}

long futex_wake(volatile int *uaddr, int count) {
  return sys_futex(uaddr, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, count, 0);
}

/* ---- spinlocks ---- */

static inline int amoswap_aq(volatile int *p, int v) {
  int old;
  __asm__ volatile("amoswap.w.aq %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}

int spin_trylock(spinlock_t *l) { return amoswap_aq(&l->locked, 1) == 0; }

void spin_lock(spinlock_t *l) {
  while (amoswap_aq(&l->locked, 1) != 0) {
    int tries = 0;
    while (l->locked) {
      if (++tries >= SPIN_YIELD_AFTER) {
        sys_sched_yield();
        tries = 0;
      }
    }
  }
}

void spin_unlock(spinlock_t *l) {
  __asm__ volatile("amoswap.w.rl zero, zero, (%0)" : : "r"(&l->locked) : "memory");
}

void ticket_lock(ticketlock_t *l) {
  int mine = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED); /* amoadd.w */
  int tries = 0;
  while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != mine) {
    if (++tries >= SPIN_YIELD_AFTER) {
      sys_sched_yield();
      tries = 0;
    }
  }
}

void ticket_unlock(ticketlock_t *l) {
  /* only the holder writes serving */
  __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

/* ---- futex mutex (three states) ---- */

static inline int cas(volatile int *p, int expected, int desired) {
  __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
  return expected; /* the value seen */
}

int mutex_trylock(mutex_t *m) { return cas(&m->state, 0, 1) == 0; }

void mutex_lock(mutex_t *m) {
  int c = cas(&m->state, 0, 1);
  if (c == 0) return;
  if (c != 2) c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
  while (c != 0) {
    futex_wait(&m->state, 2, -1);
    c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
  }
}

void mutex_unlock(mutex_t *m) {
  if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
    __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
    futex_wake(&m->state, 1);
  }
}

/* ---- condition variable ---- */

long cond_timedwait(cond_t *c, mutex_t *m, int64_t timeout_ns) {
  int seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
  mutex_unlock(m);
  long r = futex_wait(&c->seq, seq, timeout_ns);
  mutex_lock(m);
  return r == -ETIMEDOUT ? -ETIMEDOUT : 0;
}

void cond_wait(cond_t *c, mutex_t *m) { cond_timedwait(c, m, -1); }

void cond_signal(cond_t *c) {
  __atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
  futex_wake(&c->seq, 1);
}

void cond_broadcast(cond_t *c) {
  __atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
  futex_wake(&c->seq, 0x7fffffff);
}

/* ---- threads ---- */

static spinlock_t pool_lock = SPINLOCK_INIT;
static void *free_stacks[THREADS_MAX]; /* stacks of joined threads, ready for reuse */
static int free_count;
static int live_count;

/* A stack for a new thread, or 0 with *err = -EAGAIN (THREADS_MAX live) or -ENOMEM (the break cannot
 * grow). */
static void *take_stack(int *err) {
  void *stack = 0;
  spin_lock(&pool_lock);
  if (live_count >= THREADS_MAX) {
    *err = -EAGAIN;
  } else {
    if (free_count > 0) {
      stack = free_stacks[--free_count];
    } else {
      void *p = sbrk(THREAD_STACK_BYTES);
      if (p != (void *)-1) stack = p;
    }
    if (stack) live_count++;
    else *err = -ENOMEM;
  }
  spin_unlock(&pool_lock);
  return stack;
}

static void give_stack(void *stack) {
  spin_lock(&pool_lock);
  free_stacks[free_count++] = stack; /* free_count + live_count <= THREADS_MAX */
  live_count--;
  spin_unlock(&pool_lock);
}

static int thread_start(void *p) {
  struct thread *t = p;
  t->result = t->fn(t->arg);
  return 0;
}

int thread_create(struct thread *t, int (*fn)(void *), void *arg) {
  t->tid = 0;
  t->id = 0;
  t->fn = fn;
  t->arg = arg;
  t->result = 0;
  int err = 0;
  t->stack = take_stack(&err);
  if (!t->stack) return err;
  unsigned long flags = CLONE_THREAD_FLAGS | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
  long r = atoll_clone(flags, (char *)t->stack + THREAD_STACK_BYTES, (int *)&t->tid, t, (int *)&t->tid,
                       thread_start, t);
  if (r < 0) {
    give_stack(t->stack);
    t->stack = 0;
    return (int)r;
  }
  t->id = (int)r;
  return 0;
}

int thread_join(struct thread *t) {
  for (;;) {
    int tid = t->tid;
    if (tid == 0) break;
    /* Shared, not private: the kernel's wake at a CLONE_CHILD_CLEARTID exit is a shared FUTEX_WAKE, and
     * Linux keys private and shared futexes differently even on the same word. */
    sys_futex(&t->tid, FUTEX_WAIT, tid, 0);
  }
  if (t->stack) {
    give_stack(t->stack);
    t->stack = 0;
  }
  return t->result;
}

struct thread *thread_self(void) {
  struct thread *t;
  __asm__ volatile("mv %0, tp" : "=r"(t));
  return t;
}
