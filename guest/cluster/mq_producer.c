/* A producer on one node: posts COUNT telemetry messages ("seq N") to the cluster-wide queue argv[1], then one
 * urgent message (priority 9) and "done". The queue lives on whichever node its name maps to. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "raw_calls.h"

#define COUNT 40

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "/telemetry";
  struct mq_attr a = { 0, 8, 64, 0, { 0, 0, 0, 0 } };
  long q = mq_open_(name, O_CREAT | O_WRONLY, 0600, &a);
  if (q < 0) { printf("producer: mq_open %ld\n", q); return 1; }
  char msg[64];
  for (int i = 0; i < COUNT; i++) {
    int n = snprintf(msg, sizeof msg, "seq %d", i);
    long r = mq_send_((int)q, msg, (unsigned long)n, 0);
    if (r != 0) { printf("producer: send %d: %ld\n", i, r); return 1; }
  }
  mq_send_((int)q, "urgent", 6, 9);
  mq_send_((int)q, "done", 4, 0);
  long big = mq_send_((int)q, msg, 65, 0);
  printf("producer: sent %d, an oversize message gives %ld (EMSGSIZE is -%d)\n", COUNT, big, EMSGSIZE);
  return 0;
}
