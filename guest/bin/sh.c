/* sh: a tiny shell. sh [-c command | script]: reads commands from the string, the script file, or
 * standard input (prompting "$ " on stderr only when standard input is a terminal), one line at a time.
 *
 * A line is words separated by blanks ('...' and "..." quote, a backslash escapes the next character,
 * # starts a comment), split into a pipeline by '|', each command with optional "< file", "> file" and
 * ">> file" redirections. Builtins: cd [dir] (default $HOME, else /) and exit [n]. Any other command is
 * forked and executed: a name containing '/' is used as it is; any other name is looked for in each
 * directory of $SHPATH (a ':'-separated list) or, when SHPATH is not set, in the directory holding this
 * shell (the directory part of argv[0], made absolute at start), trying "dir/name" then
 * "dir/name.elf", so that "cat" runs guest/bin/cat.elf beside guest/bin/sh.elf. The host's PATH is
 * not used: under qemu-riscv32 it would name the host's own programs.
 *
 * The shell waits for every command of the pipeline and reports each that did not succeed, on stderr:
 * "sh: name: exit 3", "sh: name: killed by SIGSEGV" (" (core dumped)" with the core bit), "sh: name: not
 * found"; a command before the last one killed by SIGPIPE is not reported (its reader left, as intended).
 * The shell's status is the last command's (128 + the signal when killed), as POSIX shells report it;
 * exit without a number exits with that status. Standard input is read one byte at a time, so the
 * commands it runs see the rest of it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define WORDS_MAX 128
#define CMDS_MAX 16

struct cmd {
  char *argv[WORDS_MAX + 1];
  int argc;
  char *in, *out;
  int append;
};

static char self_dir[PATH_MAX];
static int last_status;

static const char *const sig_names[] = {
  [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
  [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
  [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
  [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
  [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
  [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
  [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
  [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

/* ---- reading lines ---- */

static int in_fd;
static const char *in_str; /* -c: the command string */

/* One line without its newline; 0 at end of input (a last line without a newline still counts). */
static int read_line(char *line, size_t size) {
  size_t n = 0;
  int got = 0;
  for (;;) {
    char c;
    if (in_str) {
      if (!*in_str) break;
      c = *in_str++;
    } else {
      ssize_t r = read(in_fd, &c, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
    }
    got = 1;
    if (c == '\n') break;
    if (n + 1 < size) line[n++] = c;
  }
  line[n] = 0;
  return got;
}

/* ---- parsing ---- */

/* Splits line into commands; returns how many, 0 for an empty line, -1 (reported) on a syntax error.
 * The words' text (quotes and backslashes removed) goes to text: at most one byte per byte of the line
 * plus one NUL per word, so twice the line's size suffices. */
static char text[2 * LINE_MAX_BYTES];

static int parse(char *line, struct cmd *cmds) {
  int n = 0;
  struct cmd *c = &cmds[0];
  memset(c, 0, sizeof *c);
  char *p = line, *out = text;
  char **pending = NULL; /* the redirection target the next word fills */
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p || *p == '#') break;
    if (*p == '|') {
      if (pending || c->argc == 0) goto syntax;
      if (++n == CMDS_MAX) {
        fprintf(stderr, "sh: too many commands in a pipeline\n");
        return -1;
      }
      c = &cmds[n];
      memset(c, 0, sizeof *c);
      p++;
      continue;
    }
    if (*p == '<' || *p == '>') {
      if (pending) goto syntax;
      if (*p == '<') pending = &c->in, c->in = NULL;
      else if (p[1] == '>') pending = &c->out, c->append = 1, p++;
      else pending = &c->out, c->append = 0;
      p++;
      continue;
    }
    char *word = out;
    char quote = 0;
    while (*p && (quote || (*p != ' ' && *p != '\t' && *p != '|' && *p != '<' && *p != '>'))) {
      if (quote) {
        if (*p == quote) quote = 0, p++;
        else if (*p == '\\' && quote == '"' && (p[1] == '"' || p[1] == '\\')) p++, *out++ = *p++;
        else *out++ = *p++;
      } else if (*p == '\'' || *p == '"') {
        quote = *p++;
      } else if (*p == '\\' && p[1]) {
        p++;
        *out++ = *p++;
      } else {
        *out++ = *p++;
      }
    }
    if (quote) {
      fprintf(stderr, "sh: unterminated quote\n");
      return -1;
    }
    *out++ = 0;
    if (pending) {
      *pending = word;
      pending = NULL;
    } else {
      if (c->argc == WORDS_MAX) {
        fprintf(stderr, "sh: too many words\n");
        return -1;
      }
      c->argv[c->argc++] = word;
    }
  }
  if (pending || (n > 0 && c->argc == 0)) goto syntax;
  if (c->argc == 0 && !c->in && !c->out) return n ? -1 : 0;
  return n + 1;
syntax:
  fprintf(stderr, "sh: syntax error\n");
  return -1;
}

/* ---- running ---- */

static void exec_command(struct cmd *c) {
  const char *name = c->argv[0];
  if (strchr(name, '/')) {
    execv(name, c->argv);
  } else {
    const char *list = getenv("SHPATH");
    if (!list) list = self_dir;
    char path[PATH_MAX];
    int found_error = ENOENT;
    for (const char *d = list;; d++) {
      const char *end = strchr(d, ':');
      int dlen = end ? (int)(end - d) : (int)strlen(d);
      for (int elf = 0; elf < 2; elf++) {
        snprintf(path, sizeof path, "%.*s%s%s%s", dlen, d, dlen ? "/" : "", name, elf ? ".elf" : "");
        execv(path, c->argv);
        if (errno != ENOENT && errno != ENOTDIR) found_error = errno;
      }
      if (!end) break;
      d = end;
    }
    errno = found_error;
  }
  if (errno == ENOENT) fprintf(stderr, "sh: %s: not found\n", name);
  else fprintf(stderr, "sh: %s: %s\n", name, strerror(errno));
  _exit(errno == ENOENT ? 127 : 126);
}

static int redirect(struct cmd *c) {
  if (c->in) {
    int fd = open(c->in, O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "sh: %s: %s\n", c->in, strerror(errno));
      return -1;
    }
    dup2(fd, 0);
    close(fd);
  }
  if (c->out) {
    int fd = open(c->out, O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
      fprintf(stderr, "sh: %s: %s\n", c->out, strerror(errno));
      return -1;
    }
    dup2(fd, 1);
    close(fd);
  }
  return 0;
}

static int builtin(struct cmd *c) {
  const char *name = c->argv[0];
  if (strcmp(name, "exit") == 0) {
    fflush(stdout);
    exit(c->argc > 1 ? atoi(c->argv[1]) : last_status);
  }
  if (strcmp(name, "cd") == 0) {
    const char *dir = c->argc > 1 ? c->argv[1] : getenv("HOME");
    if (!dir) dir = "/";
    if (chdir(dir) < 0) {
      fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
      last_status = 1;
    } else {
      last_status = 0;
    }
    return 1;
  }
  return 0;
}

static int status_of(int w) { return WIFEXITED(w) ? WEXITSTATUS(w) : 128 + WTERMSIG(w); }

static void report(const char *name, int w, int last) {
  if (WIFEXITED(w)) {
    /* 127 and 126: the child has said why (not found, cannot execute) */
    if (WEXITSTATUS(w) != 0 && WEXITSTATUS(w) != 127 && WEXITSTATUS(w) != 126)
      fprintf(stderr, "sh: %s: exit %d\n", name, WEXITSTATUS(w));
  } else if (WIFSIGNALED(w)) {
    int sig = WTERMSIG(w);
    if (sig == SIGPIPE && !last) return;
    const char *sname = sig > 0 && sig < (int)(sizeof sig_names / sizeof sig_names[0]) ? sig_names[sig] : NULL;
    if (sname) fprintf(stderr, "sh: %s: killed by %s%s\n", name, sname, w & 0x80 ? " (core dumped)" : "");
    else fprintf(stderr, "sh: %s: killed by signal %d%s\n", name, sig, w & 0x80 ? " (core dumped)" : "");
  }
}

static void run(struct cmd *cmds, int n) {
  if (n == 1 && cmds[0].argc > 0 && !cmds[0].in && !cmds[0].out && builtin(&cmds[0])) return;
  pid_t pids[CMDS_MAX];
  int prev_read = -1, started = n;
  fflush(stdout);
  fflush(stderr);
  for (int i = 0; i < n; i++) {
    int fds[2] = {-1, -1};
    if (i + 1 < n && pipe(fds) < 0) {
      fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
      started = i;
      break;
    }
    pid_t pid = fork();
    if (pid < 0) {
      fprintf(stderr, "sh: fork: %s\n", strerror(errno));
      if (fds[0] >= 0) close(fds[0]), close(fds[1]);
      started = i;
      break;
    }
    if (pid == 0) {
      if (prev_read >= 0) dup2(prev_read, 0), close(prev_read);
      if (fds[1] >= 0) dup2(fds[1], 1), close(fds[1]), close(fds[0]);
      if (redirect(&cmds[i]) < 0) _exit(1);
      if (cmds[i].argc == 0) _exit(0);
      if (strcmp(cmds[i].argv[0], "exit") == 0 || strcmp(cmds[i].argv[0], "cd") == 0) {
        builtin(&cmds[i]); /* in a pipeline a builtin runs in its own process, as in other shells */
        _exit(last_status);
      }
      exec_command(&cmds[i]);
    }
    pids[i] = pid;
    if (prev_read >= 0) close(prev_read);
    if (fds[1] >= 0) close(fds[1]);
    prev_read = fds[0];
  }
  if (prev_read >= 0) close(prev_read);
  for (int i = 0; i < started; i++) {
    int w;
    while (waitpid(pids[i], &w, 0) < 0) {
      if (errno != EINTR) {
        fprintf(stderr, "sh: wait: %s\n", strerror(errno));
        w = 0x7f00; /* status 127 */
        break;
      }
    }
    report(cmds[i].argc ? cmds[i].argv[0] : "sh", w, i == n - 1);
    if (i == n - 1) last_status = status_of(w);
  }
  if (started < n) last_status = 1; /* the pipeline could not be started whole */
}

static void find_self_dir(const char *argv0) {
  const char *slash = strrchr(argv0, '/');
  if (!slash) {
    strcpy(self_dir, ".");
    return;
  }
  size_t len = (size_t)(slash - argv0);
  char cwd[PATH_MAX / 2];
  if (argv0[0] != '/' && getcwd(cwd, sizeof cwd))
    snprintf(self_dir, sizeof self_dir, "%s%s%.*s", cwd, strcmp(cwd, "/") ? "/" : "", (int)len, argv0);
  else if (len)
    snprintf(self_dir, sizeof self_dir, "%.*s", (int)len, argv0);
  else
    strcpy(self_dir, "/");
}

int main(int argc, char **argv) {
  find_self_dir(argc > 0 ? argv[0] : "sh");
  if (argc > 2 && strcmp(argv[1], "-c") == 0) {
    in_str = argv[2];
  } else if (argc > 1) {
    in_fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
      fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
      return 127;
    }
  }
  int interactive = !in_str && argc < 2 && isatty(0);
  char line[LINE_MAX_BYTES];
  struct cmd cmds[CMDS_MAX];
  for (;;) {
    if (interactive) fputs("$ ", stderr), fflush(stderr);
    if (!read_line(line, sizeof line)) break;
    int n = parse(line, cmds);
    if (n < 0) last_status = 2;
    else if (n > 0) run(cmds, n);
  }
  if (interactive) fputs("\n", stderr);
  return last_status;
}
