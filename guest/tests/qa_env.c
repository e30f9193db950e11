/* qa_env: the environment the process starts with: every NAME=value string of the caller's environment,
 * as execve (and qemu-user) hand it over. Looks up the QA_* variables a test may set, byte for byte;
 * prints nothing that depends on the order (qemu-user reverses it, Linux keeps it) or on the machine. */
#include <atoll.h>

static const char *lookup(char **envp, const char *name) {
  size_t n = strlen(name);
  for (char **e = envp; *e; e++)
    if (memcmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  return 0;
}

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv;
  static const char *const names[] = {"QA_FIRST", "QA_EMPTY", "QA_SPACES", "QA_EQ", "QA_UNI", "QA_UNSET"};
  int qa = 0, total = 0;
  for (char **e = envp; *e; e++, total++) qa += memcmp(*e, "QA_", 3) == 0;
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *v = lookup(envp, names[i]);
    if (v) printf("%s=[%s] (%u bytes)\n", names[i], v, (unsigned)strlen(v));
    else printf("%s unset\n", names[i]);
  }
  printf("%d QA_ strings, environment empty: %d\n", qa, total == 0);
  return 0;
}
