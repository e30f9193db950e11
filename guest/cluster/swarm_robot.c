/* A robot of the swarm: serves urgent commands on its cluster-wide endpoint "rbNN" (argv[1] = NN) and, from a
 * forked child, posts argv[2] telemetry records to the queue /swarm, one a millisecond, in order. A command's
 * id is remembered, so a command delivered twice would be counted (and not applied twice): the report shows
 * how many were. Ends at the coordinator's stop, once its telemetry child has ended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "raw_calls.h"
#include "swarm.h"

static unsigned char seen[SWARM_IDS_MAX / 8];

static int post_telemetry(unsigned robot, unsigned count) {
  struct mq_attr a = { 0, 8, sizeof(struct telemetry), 0, { 0, 0, 0, 0 } };
  long q = mq_open_(SWARM_QUEUE, O_CREAT | O_WRONLY, 0600, &a);
  if (q < 0) { printf("robot %u: mq_open %ld\n", robot, q); return 1; }
  struct timespec ms = { 0, 1000000 };
  for (unsigned i = 0; i < count; i++) {
    struct telemetry t = { robot, i, 0 };
    long r = mq_send_((int)q, &t, sizeof t, 0);
    if (r != 0) { printf("robot %u: telemetry %u: %ld\n", robot, i, r); return 1; }
    nanosleep(&ms, 0);
  }
  return 0;
}

int main(int argc, char **argv) {
  unsigned robot = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
  unsigned telemetry = argc > 2 ? (unsigned)atoi(argv[2]) : 100;
  char name[5];
  robot_name(name, robot);
  long ep = ipc_register_(IPC_NAME4(name));
  if (ep < 0) { printf("robot %u: register %s: %ld\n", robot, name, ep); return 1; }
  pid_t child = fork();
  if (child == 0) { int rc = post_telemetry(robot, telemetry); fflush(stdout); _exit(rc); }
  if (child < 0) { printf("robot %u: fork %d\n", robot, child); return 1; }
  struct answer ans = { 0, 0, 0 };
  struct command c;
  for (;;) {
    unsigned len = 0;
    long tok = ipc_recv_(ep, &c, sizeof c, &len);
    if (tok < 0) { printf("robot %u: recv %ld\n", robot, tok); return 1; }
    if (len != sizeof c || c.id >= SWARM_IDS_MAX) { ipc_reply_(tok, 0, 0); continue; }
    if (c.op == CMD_INCREMENT) {
      if (seen[c.id / 8] & (1u << (c.id % 8))) ans.duplicates++;
      else { seen[c.id / 8] |= (unsigned char)(1u << (c.id % 8)); ans.speed += c.delta; ans.applied++; }
    }
    ipc_reply_(tok, &ans, sizeof ans);
    if (c.op == CMD_STOP) break;
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("robot %u: speed %d, applied %u, duplicates %u, telemetry %s\n", robot, ans.speed, ans.applied, ans.duplicates,
         WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "sent" : "failed");
  return 0;
}
