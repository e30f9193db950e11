/* A consumer on another node: takes messages from the cluster-wide queue argv[1] until "done", checks every
 * "seq N" came once and in order and the urgent one came before "done", then times out on the empty queue. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "raw_calls.h"

#define COUNT 40

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "/telemetry";
  struct mq_attr a = { 0, 8, 64, 0, { 0, 0, 0, 0 } };
  long q = mq_open_(name, O_CREAT | O_RDONLY, 0600, &a);
  if (q < 0) { printf("consumer: mq_open %ld\n", q); return 1; }
  char buf[64];
  int next = 0, urgent = 0, ok = 1;
  for (;;) {
    unsigned prio = 0;
    long n = mq_receive_((int)q, buf, sizeof buf, &prio, 0);
    if (n < 0) { printf("consumer: receive %ld\n", n); return 1; }
    buf[n] = 0;
    if (strcmp(buf, "done") == 0) break;
    if (strcmp(buf, "urgent") == 0) { urgent = prio == 9; continue; }
    int seq = -1;
    sscanf(buf, "seq %d", &seq);
    if (seq != next) ok = 0;
    next++;
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct timespec64_ until = { now.tv_sec, now.tv_nsec + 50000000 };
  if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
  long t = mq_receive_((int)q, buf, sizeof buf, 0, &until);
  printf("consumer: %d messages in order, each once: %s; urgent with priority 9: %s; empty queue after 50 ms: %s\n",
         next, ok && next == COUNT ? "yes" : "no", urgent ? "yes" : "no", t == -ETIMEDOUT ? "ETIMEDOUT" : "other");
  mq_unlink_(name);
  return ok && next == COUNT && urgent && t == -ETIMEDOUT ? 0 : 1;
}
