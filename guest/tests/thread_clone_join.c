/* thread_clone_join: clone with the threads flag set returns the child's tid in the parent, which the
 * kernel also stored at parent_tid (CLONE_PARENT_SETTID) before the child ran; the child sees 0 from
 * clone, runs on its own stack with tp set to its TLS block (CLONE_SETTLS), and shares memory with the
 * parent. At its exit the kernel clears child_tid (CLONE_CHILD_CLEARTID) and wakes the joiner. Also:
 * many threads created and joined in waves, so stacks are reused, and THREADS_MAX alive at once, the
 * next refused with -EAGAIN. Prints relations only. */
#include "atoll.h"

#define WAVES 5
#define PER_WAVE 6

static volatile int shared_word;

struct probe {
  struct thread t;
  int seen_tid;        /* gettid() inside the child */
  int tid_at_start;    /* the child's view of its t.tid field (PARENT_SETTID happened before it ran) */
  void *tp;            /* tp inside the child */
  uintptr_t stack_var; /* address of a local: must be inside the thread's stack block */
};

static int child(void *arg) {
  struct probe *p = arg;
  int local = 0;
  p->seen_tid = (int)sys_gettid();
  p->tid_at_start = p->t.tid;
  p->tp = thread_self();
  p->stack_var = (uintptr_t)&local;
  __atomic_fetch_add(&shared_word, 1, __ATOMIC_SEQ_CST);
  return 1000 + p->seen_tid % 7; /* compared with the same expression in the parent */
}

static volatile int gate;

static int parked(void *arg) {
  (void)arg;
  while (__atomic_load_n(&gate, __ATOMIC_SEQ_CST) == 0) futex_wait(&gate, 0, -1);
  return 7;
}

int main(void) {
  struct probe p;
  int r = thread_create(&p.t, child, &p);
  printf("thread_create: %d\n", r);
  uintptr_t stack = (uintptr_t)p.t.stack; /* join recycles it */
  int result = thread_join(&p.t);
  printf("clone returned a positive tid: %s\n", p.t.id > 0 ? "yes" : "no");
  printf("child's gettid equals clone's result: %s\n", p.seen_tid == p.t.id ? "yes" : "no");
  printf("parent_tid was set before the child ran: %s\n", p.tid_at_start == p.t.id ? "yes" : "no");
  printf("child_tid cleared at exit: %s\n", p.t.tid == 0 ? "yes" : "no");
  printf("tp in the child is its TLS block: %s\n", p.tp == (void *)&p.t ? "yes" : "no");
  printf("tp in the first thread is untouched: %s\n", thread_self() == 0 ? "yes" : "no");
  printf("child ran on its own stack: %s\n",
         p.stack_var >= stack && p.stack_var < stack + THREAD_STACK_BYTES ? "yes" : "no");
  printf("result passed back: %s\n", result == 1000 + p.t.id % 7 ? "yes" : "no");
  printf("memory shared: %d\n", shared_word);

  /* waves of threads, joined in reverse order; tids must be distinct within a wave */
  int distinct = 1, all_joined = 1;
  for (int w = 0; w < WAVES; w++) {
    struct probe ps[PER_WAVE];
    for (int i = 0; i < PER_WAVE; i++) {
      if (thread_create(&ps[i].t, child, &ps[i]) != 0) all_joined = 0;
    }
    for (int i = PER_WAVE - 1; i >= 0; i--) {
      if (thread_join(&ps[i].t) != 1000 + ps[i].t.id % 7 || ps[i].t.tid != 0) all_joined = 0;
    }
    for (int i = 0; i < PER_WAVE; i++)
      for (int j = i + 1; j < PER_WAVE; j++)
        if (ps[i].seen_tid == ps[j].seen_tid) distinct = 0;
  }
  printf("%d waves of %d threads: all joined with their results: %s, distinct tids: %s\n", WAVES, PER_WAVE,
         all_joined ? "yes" : "no", distinct ? "yes" : "no");
  printf("memory shared: %d\n", shared_word);

  /* THREADS_MAX threads alive at once, all parked on a futex; one more is refused with -EAGAIN */
  static struct thread crowd[THREADS_MAX];
  int made = 0;
  for (int i = 0; i < THREADS_MAX; i++) made += thread_create(&crowd[i], parked, 0) == 0;
  struct thread extra;
  int over = thread_create(&extra, parked, 0);
  __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
  sys_futex(&gate, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, THREADS_MAX, 0);
  int back = 0;
  for (int i = 0; i < THREADS_MAX; i++) back += thread_join(&crowd[i]) == 7;
  printf("%d of %d threads alive at once; one more: %d (-EAGAIN is %d); all joined: %s\n", made, THREADS_MAX,
         over, -EAGAIN, back == THREADS_MAX ? "yes" : "no");
  return 0;
}
