/* qa_thread_mix: threads the way an outside program uses them: workers that sum disjoint ranges and
 * return results through join, an amoadd counter, a futex mutex protecting a shared list, the futex
 * calls' error returns, and a raw clone with CHILD_SETTID / PARENT_SETTID / SETTLS checked from the child. */
#include <atoll.h>

#define WORKERS 4
static volatile int counter;
static mutex_t m = MUTEX_INIT;
static int list[WORKERS * 100], list_len;

static int worker(void *arg) {
  int id = (int)(intptr_t)arg;
  int64_t sum = 0;
  for (int i = id * 1000; i < (id + 1) * 1000; i++) sum += (int64_t)i * i;
  for (int i = 0; i < 100; i++) {
    __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
    mutex_lock(&m);
    list[list_len++] = id;
    mutex_unlock(&m);
    if ((i & 15) == 0) sys_sched_yield();
  }
  return (int)(sum % 1000003);
}

static volatile int raw_ptid, raw_ctid, raw_seen_tid, raw_tp_ok;
static char raw_stack[16384] __attribute__((aligned(16)));
static int tls_block[4];
static int raw_child(void *arg) {
  void *tp;
  __asm__ volatile("mv %0, tp" : "=r"(tp));
  raw_tp_ok = tp == arg;
  raw_seen_tid = raw_ctid == sys_gettid();
  return 7;
}

int main(void) {
  struct thread t[WORKERS];
  for (int i = 0; i < WORKERS; i++) if (thread_create(&t[i], worker, (void *)(intptr_t)i) != 0) { puts("create failed"); return 1; }
  for (int i = 0; i < WORKERS; i++) printf("worker %d -> %d\n", i, thread_join(&t[i]));
  int per[WORKERS] = {0};
  for (int i = 0; i < list_len; i++) per[list[i]]++;
  printf("counter %d list %d per %d %d %d %d\n", counter, list_len, per[0], per[1], per[2], per[3]);

  volatile int word = 5;
  struct timespec64 ts = {0, 1000};
  printf("wait wrong value %ld\n", sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 6, &ts));
  printf("wait timeout %ld\n", sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &ts));
  printf("wait shared timeout %ld\n", sys_futex(&word, FUTEX_WAIT, 5, &ts));
  struct timespec64 bad = {0, -5};
  printf("wait bad timespec %ld\n", sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &bad));
  bad.tv_sec = -1; bad.tv_nsec = 0;
  printf("wait negative sec %ld\n", sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &bad));
  printf("wait misaligned %ld\n", sys_futex((volatile int *)((char *)&word + 1), FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &ts));
  printf("wait null %ld\n", sys_futex(0, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &ts));
  printf("wake nobody %ld\n", sys_futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0));
  printf("wake misaligned %ld\n", sys_futex((volatile int *)((char *)&word + 2), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0));
  printf("wake 0 %ld\n", sys_futex(&word, FUTEX_WAKE, 0, 0));
  printf("wait timeout ptr bad %ld\n", sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, (void *)12));

  unsigned long flags = CLONE_THREAD_FLAGS | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
  raw_ctid = -1; /* nonzero until the child's exit clears it, even before CLONE_CHILD_SETTID has run */
  long tid = atoll_clone(flags, raw_stack + sizeof raw_stack, (int *)&raw_ptid, tls_block, (int *)&raw_ctid, raw_child, tls_block);
  if (tid < 0) { printf("clone %ld\n", tid); return 1; }
  /* One read per round: the value waited on is the value tested, so an exit between the two is no lost wakeup. */
  for (int v; (v = raw_ctid) != 0;) sys_futex(&raw_ctid, FUTEX_WAIT, v, 0);
  printf("raw: ptid matches %d, child saw its tid %d, tp %d, ctid cleared %d\n", raw_ptid == tid, raw_seen_tid, raw_tp_ok, raw_ctid == 0);
  printf("clone bad flags %ld\n", atoll_clone(CLONE_VM, raw_stack + sizeof raw_stack, 0, 0, 0, raw_child, 0));
  return 0;
}
