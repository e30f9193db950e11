/* Process helpers over the raw calls of atoll.h: waitpid in terms of waitid (RV32 Linux has no wait4). */
#include "atoll.h"

long waitpid(long pid, int *status, int options) {
  struct child_info info;
  int idtype = P_PID;
  long id = pid;
  if (pid == -1) { idtype = P_ALL; id = 0; }
  else if (pid == 0) { idtype = P_PGID; id = 0; }
  else if (pid < -1) { idtype = P_PGID; id = -pid; }
  info.si_pid = 0;
  long r = sys_waitid(idtype, id, &info, options | WEXITED, 0);
  if (r < 0) return r;
  if (info.si_pid == 0) return 0;
  if (status) {
    if (info.si_code == CLD_EXITED) *status = (info.si_status & 0xff) << 8;
    else *status = (info.si_status & 0x7f) | (info.si_code == CLD_DUMPED ? 0x80 : 0);
  }
  return info.si_pid;
}
