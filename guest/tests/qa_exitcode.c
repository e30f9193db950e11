/* qa_exitcode: exit codes beyond 0..255, negative, through exit and exit_group, chosen by argv[1]. */
#include <atoll.h>
static int parse(const char *s) {
  int neg = 0, v = 0;
  if (*s == '-') { neg = 1; s++; }
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return neg ? -v : v;
}
int main(int argc, char **argv) {
  if (argc < 3) return 3;
  int code = parse(argv[2]);
  puts("before exit");
  if (argv[1][0] == 'e') sys_exit(code);
  if (argv[1][0] == 'g') sys_exit_group(code);
  return code;
}
