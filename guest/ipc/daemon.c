/* daemon: a user-level server process for the daemon benchmark. It registers the endpoint "getp" and
 * answers each OP_GETPID request with the result of its own getpid system call, until a client sends
 * OP_QUIT (answered, then the daemon exits 0). Run beside client.elf:
 *   atoll run guest/ipc/daemon.elf -- guest/ipc/client.elf [N]
 * Alone it waits for a client forever (the node then reports a deadlock). Under qemu-riscv32 the IPC
 * calls do not exist: it says so and exits 1. */
#include "proto.h"

static uint32_t request, reply;

int main(void) {
  long ep = ipc_register(GETPID_DAEMON);
  if (ep < 0) {
    eprintf("daemon: ipc_register: %ld%s\n", ep, ep == -ENOSYS ? " (not an Atoll node)" : "");
    return 1;
  }
  request = reply = 0; /* touch the buffers: the kernel copies only into mapped pages */
  while (1) {
    unsigned len = 0;
    long token = ipc_recv(ep, &request, sizeof request, &len);
    if (token < 0) { eprintf("daemon: ipc_recv: %ld\n", token); return 1; }
    uint32_t op = len == sizeof request ? request : ~0u;
    reply = op == OP_GETPID ? (uint32_t)sys_getpid() : 0;
    long r = ipc_reply(token, &reply, sizeof reply);
    if (r < 0 && r != -ESRCH) { eprintf("daemon: ipc_reply: %ld\n", r); return 1; }
    if (op == OP_QUIT) return 0;
  }
}
