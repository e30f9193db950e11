/* fs_exec_fail: execve calls that must fail and leave the caller running: a missing file, a directory, a
 * file without an execute bit, a file that is no ELF, a path through a file, bad pointers for the path, argv
 * and envp, an empty path. */
#include "atoll.h"

int main(void) {
  char *argv[] = {"prog", 0};
  char *envp[] = {"A=1", 0};
  print_result("execve missing", sys_execve("missing", argv, envp));
  print_result("mkdir", sys_mkdirat(AT_FDCWD, "dir", 0755));
  print_result("execve dir", sys_execve("dir", argv, envp));
  long fd = sys_open("plain", O_CREAT | O_WRONLY, 0644);
  sys_write((int)fd, "not a program\n", 14);
  sys_close((int)fd);
  print_result("execve no x bit", sys_execve("plain", argv, envp));
  fd = sys_open("junk", O_CREAT | O_WRONLY, 0755);
  sys_write((int)fd, "\177ELF garbage that is not an ELF header at all............................", 72);
  sys_close((int)fd);
  print_result("execve bad ELF", sys_execve("junk", argv, envp));
  fd = sys_open("empty", O_CREAT | O_WRONLY, 0755);
  sys_close((int)fd);
  print_result("execve empty file", sys_execve("empty", argv, envp));
  print_result("execve through a file", sys_execve("plain/x", argv, envp));
  print_result("execve empty path", sys_execve("", argv, envp));
  print_result("execve bad path", sys_execve((const char *)0x10, argv, envp));
  print_result("execve bad argv", sys_execve("junk", (char **)0x10, envp));
  char *badargv[] = {"prog", (char *)0x10, 0};
  print_result("execve bad argv string", sys_execve("junk", badargv, envp));
  print_result("execve bad envp", sys_execve("junk", argv, (char **)0x10));
  puts("still running");
  const char *files[] = {"plain", "junk", "empty", 0};
  for (int i = 0; files[i]; i++) sys_unlinkat(AT_FDCWD, files[i], 0);
  sys_unlinkat(AT_FDCWD, "dir", AT_REMOVEDIR);
  return 3;
}
