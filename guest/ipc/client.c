/* client: the daemon benchmark's client (run beside daemon.elf). It times, with the user cycle and
 * instret counters, N direct getpid system calls against N getpid requests served by the daemon process
 * over the kernel's IPC (ipc_call -> the daemon's ipc_recv, getpid, ipc_reply), each beyond an empty loop
 * of N, prints the figures, then tells the daemon to quit.
 *   client.elf [N] [report|loop|direct|daemon]
 * report (the default) runs all three and prints; the others run only that part, silently (the host
 * benchmark times them with the wall clock). A cycle here is a retired guest instruction: the kernel's
 * own work (trap, copies, scheduling) retires none, so its cost shows in host time, not in these counts. */
#include "proto.h"

static volatile uint32_t sink;
static uint32_t request, reply;
static long ep;

static int atoi_(const char *s) { int v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }

static int ask(uint32_t op) {
  request = op;
  long r = ipc_call(ep, &request, sizeof request, &reply, sizeof reply);
  if (r != (long)sizeof reply) { eprintf("client: ipc_call: %ld\n", r); return -1; }
  return 0;
}

static void loop(int n) { for (int i = 0; i < n; i++) sink = (uint32_t)i; }
static void direct(int n) { for (int i = 0; i < n; i++) sink = (uint32_t)sys_getpid(); }
static int via_daemon(int n) {
  for (int i = 0; i < n; i++) {
    if (ask(OP_GETPID) < 0) return -1;
    sink = reply;
  }
  return 0;
}

struct span { uint32_t cycles, instret; };
static struct span since(struct span s) {
  struct span e = { rdcycle() - s.cycles, rdinstret() - s.instret };
  return e;
}
static struct span now(void) { struct span s = { rdcycle(), rdinstret() }; return s; }

/* x / n with two decimals. */
static void per(const char *what, uint32_t x, int n) {
  uint64_t hundredths = ((uint64_t)x * 100 + (uint64_t)n / 2) / (uint64_t)n;
  printf("  %-34s %6lu.%02lu\n", what, (unsigned long)(hundredths / 100), (unsigned long)(hundredths % 100));
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi_(argv[1]) : 10000;
  const char *mode = argc > 2 ? argv[2] : "report";
  if (n <= 0) { eprintf("client: N must be a positive number\n"); return 2; }
  request = reply = 0; /* touch the buffers: the kernel copies only into mapped pages */
  ep = -ENOENT;
  for (int i = 0; i < 100000 && ep == -ENOENT; i++) {
    ep = ipc_lookup(GETPID_DAEMON);
    if (ep == -ENOENT) sys_sched_yield(); /* the daemon may not have registered yet */
  }
  if (ep < 0) {
    eprintf("client: no daemon (ipc_lookup: %ld): run daemon.elf beside this program\n", ep);
    return 1;
  }
  int rc = 0;
  if (!strcmp(mode, "loop")) loop(n);
  else if (!strcmp(mode, "direct")) direct(n);
  else if (!strcmp(mode, "daemon")) rc = via_daemon(n) < 0;
  else if (!strcmp(mode, "report")) {
    if (via_daemon(n < 100 ? n : 100) < 0) return 1; /* warm-up: pages mapped, both sides in their loops */
    struct span s = now();
    loop(n);
    struct span l = since(s);
    s = now();
    direct(n);
    struct span d = since(s);
    s = now();
    if (via_daemon(n) < 0) return 1;
    struct span v = since(s);
    printf("client: %d getpid calls, direct and through the daemon process (cycles per call, loop subtracted)\n", n);
    per("direct system call", d.cycles - l.cycles, n);
    per("through the daemon", v.cycles - l.cycles, n);
    per("difference", v.cycles - d.cycles, n);
    printf("client: instret per call: direct %lu, through the daemon %lu (all guest instructions of the hart)\n",
           (unsigned long)((d.instret - l.instret + n / 2) / n), (unsigned long)((v.instret - l.instret + n / 2) / n));
  } else {
    eprintf("client: unknown mode '%s' (report, loop, direct or daemon)\n", mode);
    rc = 2;
  }
  if (ask(OP_QUIT) < 0) return 1;
  return rc;
}
