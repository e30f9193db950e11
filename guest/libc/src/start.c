/* Program start and end: TLS, stdio, constructors, main, exit; errno from raw results; strerror. */
#include "linux.h"
#include <errno.h>
#include <picotls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char __tls_base[];
extern char **environ;
int main(int, char **, char **);
void __libc_init_array(void);
void __libc_stdio_init(void);
void __libc_start_main(int argc, char **argv, char **envp) __attribute__((noreturn, used));

void __libc_start_main(int argc, char **argv, char **envp) {
  environ = envp;
  _init_tls(__tls_base); /* the first thread's block is the template itself (link.ld) */
  _set_tls(__tls_base);
  __libc_stdio_init();
  __libc_init_array();
  exit(main(argc, argv, envp));
}

/* picolibc's exit runs the atexit handlers and the destructors (stdio's flush is one), then this. */
void _exit(int status) {
  for (;;) __sc1(SYS_exit_group, status);
}

long __syscall_ret(long r) {
  if ((unsigned long)r > -4096UL) {
    errno = (int)-r;
    return -1;
  }
  return r;
}

#include "strerror_table.h"

int strerror_r(int e, char *buf, size_t len) {
  const char *s = e >= 0 && e < (int)(sizeof errno_text / sizeof errno_text[0]) ? errno_text[e] : NULL;
  if (s == NULL) {
    snprintf(buf, len, "Unknown error %d", e);
    return EINVAL;
  }
  if (strlen(s) >= len) {
    if (len) { memcpy(buf, s, len - 1); buf[len - 1] = 0; }
    return ERANGE;
  }
  strcpy(buf, s);
  return 0;
}

char *strerror(int e) {
  static char unknown[32];
  if (e >= 0 && e < (int)(sizeof errno_text / sizeof errno_text[0]) && errno_text[e]) return (char *)errno_text[e];
  snprintf(unknown, sizeof unknown, "Unknown error %d", e);
  return unknown;
}

char *strerror_l(int e, locale_t l) {
  (void)l;
  return strerror(e);
}

void perror(const char *s) {
  const char *m = strerror(errno);
  if (s && *s) fprintf(stderr, "%s: %s\n", s, m);
  else fprintf(stderr, "%s\n", m);
}
