/* thread_ids: the id relations Linux gives threads. In the first thread gettid() == getpid(); every
 * other thread shares the pid but has its own tid, different from the pid and from the others;
 * set_tid_address returns the caller's tid. Only relations are printed, never the ids. */
#include "atoll.h"

#define THREADS 3

struct ids { struct thread t; long pid, tid, sta; };

static int child(void *arg) {
  struct ids *p = arg;
  p->pid = sys_getpid();
  p->tid = sys_gettid();
  p->sta = sys_set_tid_address((int *)&p->t.tid); /* the same address the thread library gave clone */
  return 0;
}

int main(void) {
  long pid = sys_getpid(), tid = sys_gettid();
  printf("first thread: gettid == getpid: %s, positive: %s\n", tid == pid ? "yes" : "no", pid > 0 ? "yes" : "no");
  static int dummy;
  long sta = sys_set_tid_address(&dummy);
  printf("first thread: set_tid_address returns the tid: %s\n", sta == tid ? "yes" : "no");
  struct ids c[THREADS];
  for (int i = 0; i < THREADS; i++) thread_create(&c[i].t, child, &c[i]);
  for (int i = 0; i < THREADS; i++) thread_join(&c[i].t);
  for (int i = 0; i < THREADS; i++) {
    int unique = 1;
    for (int j = 0; j < THREADS; j++) if (j != i && c[j].tid == c[i].tid) unique = 0;
    printf("thread %d: same pid: %s, tid != pid: %s, tid == clone result: %s, unique: %s, "
           "set_tid_address returns the tid: %s\n", i,
           c[i].pid == pid ? "yes" : "no", c[i].tid != pid ? "yes" : "no", c[i].tid == c[i].t.id ? "yes" : "no",
           unique ? "yes" : "no", c[i].sta == c[i].tid ? "yes" : "no");
  }
  printf("first thread after joins: tid unchanged: %s\n", sys_gettid() == tid ? "yes" : "no");
  return 0;
}
