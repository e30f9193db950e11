/* The swarm's coordinator: sends argv[2] urgent "increment speed by 1" commands to each of argv[1] robots by
 * IPC to their cluster-wide endpoints (rb01, rb02, ...), over whatever the network does, and a forked child
 * reads every robot's argv[3] telemetry records from the queue /swarm, checking each robot's arrive once and in
 * order. The report: commands acknowledged, each robot's speed against them, and the telemetry counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "raw_calls.h"
#include "swarm.h"

#define ROBOTS_MAX 32
/* Longer than any disconnection the swarm is put through: a command is acknowledged, not given up. */
#define COMMAND_TIMEOUT_MS 30000

static int consume(unsigned robots, unsigned each) {
  struct mq_attr a = { 0, 8, sizeof(struct telemetry), 0, { 0, 0, 0, 0 } };
  long q = mq_open_(SWARM_QUEUE, O_CREAT | O_RDONLY, 0600, &a);
  if (q < 0) { printf("telemetry: mq_open %ld\n", q); return 1; }
  unsigned next[ROBOTS_MAX + 1] = { 0 }, received = 0, out_of_order = 0;
  while (received < robots * each) {
    struct telemetry t;
    long n = mq_receive_((int)q, &t, sizeof t, 0, 0);
    if (n != (long)sizeof t || t.robot == 0 || t.robot > robots) { printf("telemetry: receive %ld\n", n); return 1; }
    if (t.seq != next[t.robot]) out_of_order++;
    next[t.robot] = t.seq + 1;
    received++;
  }
  printf("telemetry: received %u of %u, out of order or repeated %u\n", received, robots * each, out_of_order);
  return out_of_order == 0 ? 0 : 1;
}

static long find(unsigned robot) {
  char name[5];
  robot_name(name, robot);
  struct timespec ms = { 0, 1000000 };
  long ep = -1;
  for (int i = 0; i < 10000 && (ep = ipc_lookup_(IPC_NAME4(name))) < 0; i++) nanosleep(&ms, 0);
  return ep;
}

int main(int argc, char **argv) {
  unsigned robots = argc > 1 ? (unsigned)atoi(argv[1]) : 3;
  unsigned commands = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
  unsigned each = argc > 3 ? (unsigned)atoi(argv[3]) : 100;
  if (robots == 0 || robots > ROBOTS_MAX || robots * commands >= SWARM_IDS_MAX) { printf("coordinator: bad sizes\n"); return 2; }
  pid_t reader = fork();
  if (reader == 0) { int rc = consume(robots, each); fflush(stdout); _exit(rc); }
  long ep[ROBOTS_MAX + 1];
  for (unsigned r = 1; r <= robots; r++) {
    ep[r] = find(r);
    if (ep[r] < 0) { printf("coordinator: robot %u not found: %ld\n", r, ep[r]); return 1; }
  }
  unsigned acked[ROBOTS_MAX + 1] = { 0 }, failed = 0, id = 0;
  struct answer ans;
  for (unsigned c = 0; c < commands; c++) {
    for (unsigned r = 1; r <= robots; r++) {
      struct command cmd = { CMD_INCREMENT, id++, 1 };
      long n = ipc_call_(ep[r], &cmd, sizeof cmd, &ans, sizeof ans, COMMAND_TIMEOUT_MS);
      if (n == (long)sizeof ans) acked[r]++;
      else { failed++; printf("coordinator: command %u to robot %u: %ld\n", cmd.id, r, n); }
    }
  }
  unsigned total = 0, match = 1;
  for (unsigned r = 1; r <= robots; r++) {
    struct command stop = { CMD_STOP, 0, 0 };
    long n = ipc_call_(ep[r], &stop, sizeof stop, &ans, sizeof ans, COMMAND_TIMEOUT_MS);
    if (n != (long)sizeof ans) { printf("coordinator: stop robot %u: %ld\n", r, n); return 1; }
    printf("coordinator: robot %u acked %u of %u, speed %d, duplicates %u\n", r, acked[r], commands, ans.speed, ans.duplicates);
    if ((unsigned)ans.speed != acked[r] || ans.duplicates != 0) match = 0;
    total += acked[r];
  }
  int status = 0;
  waitpid(reader, &status, 0);
  int telemetry_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  printf("swarm: %u of %u commands acknowledged, %u failed; speeds equal acknowledged commands: %s; telemetry once and in order: %s\n",
         total, robots * commands, failed, match ? "yes" : "no", telemetry_ok ? "yes" : "no");
  return match && telemetry_ok && total == robots * commands ? 0 : 1;
}
