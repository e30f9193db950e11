/* fork_cow: a forked child gets a copy-on-write copy of its parent's memory: data, bss, heap and stack
 * written by the child after the fork are unchanged in the parent, and the parent's own writes after the
 * fork do not reach the child. The child's exit status comes back through waitid. */
#include "atoll.h"

static int data_word = 11;
static int bss_word;
static char big[3 * 4096];

int main(void) {
  int stack_word = 33;
  int *heap = sbrk(4096);
  heap[0] = 44;
  bss_word = 22;
  for (unsigned i = 0; i < sizeof big; i++) big[i] = (char)i;
  long parent = sys_getpid();
  long pid = sys_fork();
  if (pid < 0) { printf("fork failed: %ld\n", pid); return 1; }
  if (pid == 0) {
    printf("child: sees data %d bss %d stack %d heap %d\n", data_word, bss_word, stack_word, heap[0]);
    data_word = 111; bss_word = 222; stack_word = 333; heap[0] = 444;
    for (unsigned i = 0; i < sizeof big; i++) big[i] = 0x5a;
    printf("child: wrote data %d bss %d stack %d heap %d\n", data_word, bss_word, stack_word, heap[0]);
    printf("child: getppid() == parent's pid: %s\n", sys_getppid() == parent ? "yes" : "no");
    printf("child: getpid() != parent's pid: %s\n", sys_getpid() != parent ? "yes" : "no");
    sys_exit_group(7);
  }
  /* The parent writes too, before the child may have run. */
  data_word = 12;
  struct child_info info;
  memset(&info, 0, sizeof info);
  long r = sys_waitid(P_PID, pid, &info, WEXITED, 0);
  printf("parent: waitid %ld signo %d code %d status %d pid matches %s\n", r, info.si_signo, info.si_code,
         info.si_status, info.si_pid == pid ? "yes" : "no");
  int same = 1;
  for (unsigned i = 0; i < sizeof big; i++) if (big[i] != (char)i) same = 0;
  printf("parent: still data %d bss %d stack %d heap %d big %s\n", data_word, bss_word, stack_word, heap[0],
         same ? "intact" : "changed");
  r = sys_waitid(P_ALL, 0, &info, WEXITED, 0);
  printf("parent: waitid again: %ld\n", r);
  return 0;
}
