/* fs_files: the file-system calls in an empty directory (the current one), with relative paths only: create,
 * write, seek, read, pread/pwrite, O_APPEND, O_TRUNC, O_EXCL, O_DIRECTORY, directories and their listing
 * (sorted here: the order of getdents64 is the file system's), rename, links, symbolic links, ftruncate,
 * statx, faccessat, getcwd/chdir/fchdir, and the errors of each. Ends by removing everything it made. */
#include "atoll.h"

static char buf[8192];
static char names[64][64];

static void mode_of(const char *path, int flags) {
  struct statx st;
  long r = sys_statx(AT_FDCWD, path, flags, STATX_BASIC_STATS, &st);
  if (r < 0) { printf("statx %s: %s\n", path, errno_name(r)); return; }
  const char *t = (st.stx_mode & S_IFMT) == S_IFREG ? "file" : (st.stx_mode & S_IFMT) == S_IFDIR ? "dir"
                : (st.stx_mode & S_IFMT) == S_IFLNK ? "link" : "other";
  printf("statx %s: %s %o nlink %u size %u\n", path, t, st.stx_mode & 07777, st.stx_nlink,
         (st.stx_mode & S_IFMT) == S_IFDIR ? 0 : (unsigned)st.stx_size);
}

static void list(const char *path) {
  long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) { printf("list %s: %s\n", path, errno_name(fd)); return; }
  int n = 0;
  for (;;) {
    long got = sys_getdents64((int)fd, buf, 100); /* small: several calls */
    if (got < 0) { printf("getdents: %s\n", errno_name(got)); break; }
    if (got == 0) break;
    for (long off = 0; off < got;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      if (n < 64) {
        size_t i = 0;
        for (; d->d_name[i] && i < 62; i++) names[n][i] = d->d_name[i];
        names[n][i] = d->d_type == DT_DIR ? '/' : d->d_type == DT_LNK ? '@' : d->d_type == DT_REG ? ' ' : '?';
        names[n][i + 1] = 0;
        n++;
      }
      if (d->d_reclen % 8 != 0) printf("reclen %u not 8-aligned\n", d->d_reclen);
      off += d->d_reclen;
    }
  }
  for (int i = 1; i < n; i++) /* insertion sort */
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char t[64];
      memcpy(t, names[j], 64); memcpy(names[j], names[j - 1], 64); memcpy(names[j - 1], t, 64);
    }
  printf("%s:", path);
  for (int i = 0; i < n; i++) printf(" [%s]", names[i]);
  printf("\n");
  print_result("getdents tiny buffer", sys_getdents64((int)fd, buf, 10));
  int64_t pos;
  print_result("rewind dir", sys_llseek((int)fd, 0, &pos, SEEK_SET));
  print_result("getdents tiny buffer after rewind", sys_getdents64((int)fd, buf, 10));
  print_result("read dir", sys_read((int)fd, buf, 10));
  sys_close((int)fd);
}

int main(void) {
  long fd = sys_open("a.txt", O_CREAT | O_RDWR | O_EXCL, 0644);
  print_result("create a.txt", fd);
  print_result("write", sys_write((int)fd, "hello, file\n", 12));
  int64_t pos = -1;
  print_result("llseek cur", sys_llseek((int)fd, 0, &pos, SEEK_CUR));
  printf("pos %d\n", (int)pos);
  print_result("read at end", sys_read((int)fd, buf, 100));
  print_result("llseek set 7", sys_llseek((int)fd, 7, &pos, SEEK_SET));
  long n = sys_read((int)fd, buf, 100);
  print_result("read", n);
  buf[n > 0 ? n : 0] = 0;
  printf("got '%s'\n", buf);
  print_result("llseek end -5", sys_llseek((int)fd, -5, &pos, SEEK_END));
  printf("pos %d\n", (int)pos);
  print_result("llseek negative", sys_llseek((int)fd, -100, &pos, SEEK_SET));
  print_result("llseek bad whence", sys_llseek((int)fd, 0, &pos, 7));
  print_result("llseek bad result pointer", sys_llseek((int)fd, 0, (int64_t *)0x10, SEEK_SET));
  print_result("pwrite at 100", sys_pwrite64((int)fd, "X", 1, 100));
  mode_of("a.txt", 0);
  print_result("pread at 0", sys_pread64((int)fd, buf, 5, 0));
  print_result("pread past end", sys_pread64((int)fd, buf, 5, 1000));
  print_result("pread negative", sys_pread64((int)fd, buf, 5, -1));
  print_result("ftruncate 3", sys_ftruncate64((int)fd, 3));
  mode_of("a.txt", 0);
  print_result("ftruncate negative", sys_ftruncate64((int)fd, -1));
  print_result("fsync", sys_fsync((int)fd));
  print_result("read bad buffer", sys_pread64((int)fd, (void *)0x10, 3, 0));
  print_result("write bad buffer", sys_write((int)fd, (void *)0x10, 3));
  print_result("F_GETFL", sys_fcntl((int)fd, F_GETFL, 0) & ~O_LARGEFILE);
  sys_close((int)fd);
  print_result("create again O_EXCL", sys_open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
  fd = sys_open("a.txt", O_WRONLY | O_APPEND, 0);
  print_result("open O_APPEND", fd);
  print_result("llseek 0", sys_llseek((int)fd, 0, &pos, SEEK_SET));
  print_result("append", sys_write((int)fd, "++", 2));
  print_result("read write-only", sys_read((int)fd, buf, 1));
  print_result("ftruncate read-only fd", 0);
  sys_close((int)fd);
  fd = sys_open("a.txt", O_RDONLY, 0);
  n = sys_read((int)fd, buf, 100);
  buf[n > 0 ? n : 0] = 0;
  printf("after append: '%s'\n", buf);
  print_result("write read-only", sys_write((int)fd, "x", 1));
  print_result("ftruncate read-only", sys_ftruncate64((int)fd, 0));
  sys_close((int)fd);
  fd = sys_open("a.txt", O_RDWR | O_TRUNC, 0);
  print_result("O_TRUNC", fd);
  mode_of("a.txt", 0);
  sys_close((int)fd);
  print_result("open missing", sys_open("missing", O_RDONLY, 0));
  print_result("open missing dir/x", sys_open("nodir/x", O_CREAT | O_WRONLY, 0644));
  print_result("open file as dir", sys_open("a.txt", O_RDONLY | O_DIRECTORY, 0));
  print_result("open a.txt/x", sys_open("a.txt/x", O_RDONLY, 0));
  print_result("open a.txt/", sys_open("a.txt/", O_RDONLY, 0));
  print_result("create trailing slash", sys_open("new/", O_CREAT | O_WRONLY, 0644));
  print_result("open empty path", sys_open("", O_RDONLY, 0));
  print_result("open bad pointer", sys_open((const char *)0x10, O_RDONLY, 0));
  print_result("O_CREAT|O_DIRECTORY", sys_open("cd", O_CREAT | O_DIRECTORY | O_RDONLY, 0644));
  /* names */
  char longname[300];
  memset(longname, 'n', 299); longname[299] = 0;
  print_result("long name", sys_open(longname, O_CREAT | O_WRONLY, 0644));
  static char longpath[5000];
  for (int i = 0; i < 4999; i++) longpath[i] = i % 2 ? '/' : 'd';
  longpath[4999] = 0;
  print_result("long path", sys_open(longpath, O_RDONLY, 0));
  /* directories */
  print_result("mkdir d", sys_mkdirat(AT_FDCWD, "d", 0755));
  print_result("mkdir d again", sys_mkdirat(AT_FDCWD, "d", 0755));
  print_result("mkdir d/e/f", sys_mkdirat(AT_FDCWD, "d/e/f", 0755));
  print_result("mkdir a.txt/e", sys_mkdirat(AT_FDCWD, "a.txt/e", 0755));
  print_result("mkdir d/e", sys_mkdirat(AT_FDCWD, "d/e", 0700));
  mode_of("d", 0);
  mode_of("d/e", 0);
  print_result("open dir for writing", sys_open("d", O_WRONLY, 0));
  print_result("create over dir", sys_open("d", O_CREAT | O_WRONLY, 0644));
  long dfd = sys_open("d", O_RDONLY | O_DIRECTORY, 0);
  print_result("open d", dfd);
  print_result("create d/f via dirfd", fd = sys_openat((int)dfd, "f", O_CREAT | O_WRONLY, 0600));
  sys_close((int)fd);
  print_result("openat bad dirfd", sys_openat(99, "f", O_RDONLY, 0));
  long ffd = sys_open("a.txt", O_RDONLY, 0);
  print_result("openat file as dirfd", sys_openat((int)ffd, "f", O_RDONLY, 0));
  print_result("getdents on a file", sys_getdents64((int)ffd, buf, sizeof buf));
  mode_of("d/f", 0);
  list("d");
  list(".");
  /* links */
  print_result("symlink", sys_symlinkat("a.txt", AT_FDCWD, "link"));
  print_result("symlink exists", sys_symlinkat("x", AT_FDCWD, "link"));
  print_result("symlink dangling", sys_symlinkat("nowhere", AT_FDCWD, "dangling"));
  print_result("symlink loop", sys_symlinkat("loop", AT_FDCWD, "loop"));
  print_result("symlink to dir", sys_symlinkat("d", AT_FDCWD, "dlink"));
  n = sys_readlinkat(AT_FDCWD, "link", buf, sizeof buf);
  print_result("readlink", n);
  buf[n > 0 ? n : 0] = 0;
  printf("link -> %s\n", buf);
  print_result("readlink short buffer", sys_readlinkat(AT_FDCWD, "link", buf, 2));
  print_result("readlink not a link", sys_readlinkat(AT_FDCWD, "a.txt", buf, sizeof buf));
  print_result("readlink size 0", sys_readlinkat(AT_FDCWD, "link", buf, 0));
  mode_of("link", 0);
  mode_of("link", AT_SYMLINK_NOFOLLOW);
  print_result("open via link", fd = sys_open("link", O_RDONLY, 0));
  sys_close((int)fd);
  print_result("open link O_NOFOLLOW", sys_open("link", O_RDONLY | O_NOFOLLOW, 0));
  print_result("open loop", sys_open("loop", O_RDONLY, 0));
  print_result("open dangling", sys_open("dangling", O_RDONLY, 0));
  print_result("create through dangling", fd = sys_open("dangling", O_CREAT | O_WRONLY, 0644));
  sys_close((int)fd);
  mode_of("nowhere", 0);
  print_result("open dlink/f", fd = sys_open("dlink/f", O_RDONLY, 0));
  sys_close((int)fd);
  print_result("link", sys_linkat(AT_FDCWD, "a.txt", AT_FDCWD, "hard", 0));
  mode_of("a.txt", 0);
  print_result("link exists", sys_linkat(AT_FDCWD, "a.txt", AT_FDCWD, "hard", 0));
  print_result("link dir", sys_linkat(AT_FDCWD, "d", AT_FDCWD, "dhard", 0));
  print_result("link missing", sys_linkat(AT_FDCWD, "missing", AT_FDCWD, "x", 0));
  print_result("link bad flags", sys_linkat(AT_FDCWD, "a.txt", AT_FDCWD, "x", 0x8000));
  /* access */
  print_result("faccessat a.txt R_OK", sys_faccessat(AT_FDCWD, "a.txt", R_OK));
  print_result("faccessat missing", sys_faccessat(AT_FDCWD, "missing", F_OK));
  print_result("faccessat bad mode", sys_faccessat(AT_FDCWD, "a.txt", 8));
  print_result("faccessat2 nofollow dangling", sys_faccessat2(AT_FDCWD, "loop", F_OK, AT_SYMLINK_NOFOLLOW));
  print_result("faccessat2 bad flags", sys_faccessat2(AT_FDCWD, "a.txt", F_OK, 0x4));
  /* rename */
  print_result("rename a.txt b.txt", sys_renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "b.txt", 0));
  print_result("rename missing", sys_renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "c.txt", 0));
  print_result("rename noreplace", sys_renameat2(AT_FDCWD, "b.txt", AT_FDCWD, "hard", RENAME_NOREPLACE));
  print_result("rename over file", sys_renameat2(AT_FDCWD, "hard", AT_FDCWD, "b.txt", 0));
  print_result("rename file over dir", sys_renameat2(AT_FDCWD, "b.txt", AT_FDCWD, "d", 0));
  print_result("rename dir over file", sys_renameat2(AT_FDCWD, "d", AT_FDCWD, "b.txt", 0));
  print_result("rename dir into itself", sys_renameat2(AT_FDCWD, "d", AT_FDCWD, "d/e/x", 0));
  print_result("rename bad flags", sys_renameat2(AT_FDCWD, "b.txt", AT_FDCWD, "x", 0x100));
  print_result("mkdir g", sys_mkdirat(AT_FDCWD, "g", 0755));
  print_result("rename dir over non-empty dir", sys_renameat2(AT_FDCWD, "g", AT_FDCWD, "d", 0));
  print_result("rename dir over empty dir", sys_renameat2(AT_FDCWD, "g", AT_FDCWD, "d/e/f2", 0));
  list("d/e");
  /* cwd */
  static char cwd0[4096], cwd1[4096];
  long l0 = sys_getcwd(cwd0, sizeof cwd0);
  printf("getcwd ok %d\n", l0 == (long)strlen(cwd0) + 1);
  /* The start is the root on atoll, a host directory under qemu: print what lies below it. */
  long prefix = strcmp(cwd0, "/") == 0 ? 0 : l0 - 1;
  print_result("getcwd too small", sys_getcwd(cwd1, 1));
  print_result("getcwd bad pointer", sys_getcwd((char *)0x10, 4096));
  print_result("chdir d/e", sys_chdir("d/e"));
  long l1 = sys_getcwd(cwd1, sizeof cwd1);
  printf("cwd below the start: %s \n", cwd1 + prefix);
  print_result("chdir missing", sys_chdir("missing"));
  print_result("chdir file", sys_chdir("../../b.txt"));
  print_result("open ../../b.txt", fd = sys_open("../../b.txt", O_RDONLY, 0));
  sys_close((int)fd);
  print_result("fchdir dfd", sys_fchdir((int)dfd));
  l1 = sys_getcwd(cwd1, sizeof cwd1);
  printf("cwd below the start: %s \n", cwd1 + prefix);
  print_result("fchdir file", sys_fchdir((int)ffd));
  print_result("fchdir bad", sys_fchdir(99));
  print_result("chdir ..", sys_chdir(".."));
  l1 = sys_getcwd(cwd1, sizeof cwd1);
  printf("back: %d\n", l1 == l0);
  /* statx flags */
  struct statx st;
  print_result("statx empty path no flag", sys_statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &st));
  print_result("statx AT_EMPTY_PATH cwd", sys_statx(AT_FDCWD, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &st));
  printf("cwd is dir %d\n", (st.stx_mode & S_IFMT) == S_IFDIR);
  print_result("statx bad flags", sys_statx(AT_FDCWD, "b.txt", 0x1, STATX_BASIC_STATS, &st));
  print_result("statx reserved mask", sys_statx(AT_FDCWD, "b.txt", 0, 0x80000000u, &st));
  print_result("statx bad buffer", sys_statx(AT_FDCWD, "b.txt", 0, STATX_BASIC_STATS, (struct statx *)0x10));
  print_result("statx fd", fstatx((int)ffd, &st));
  print_result("statx bad fd", fstatx(99, &st));
  /* removing */
  print_result("unlink dir", sys_unlinkat(AT_FDCWD, "d", 0));
  print_result("rmdir non-empty", sys_unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
  print_result("rmdir file", sys_unlinkat(AT_FDCWD, "b.txt", AT_REMOVEDIR));
  print_result("rmdir .", sys_unlinkat(AT_FDCWD, ".", AT_REMOVEDIR));
  print_result("rmdir d/.", sys_unlinkat(AT_FDCWD, "d/.", AT_REMOVEDIR));
  print_result("unlink missing", sys_unlinkat(AT_FDCWD, "missing", 0));
  print_result("unlink bad flags", sys_unlinkat(AT_FDCWD, "b.txt", 0x1));
  const char *files[] = {"b.txt", "hard", "link", "dangling", "nowhere", "loop", "dlink", "d/f", 0};
  for (int i = 0; files[i]; i++) {
    char what[64];
    snprintf(what, sizeof what, "unlink %s", files[i]);
    print_result(what, sys_unlinkat(AT_FDCWD, files[i], 0));
  }
  const char *dirs[] = {"d/e/f", "d/e/f2", "d/e", "d", 0};
  for (int i = 0; dirs[i]; i++) {
    char what[64];
    snprintf(what, sizeof what, "rmdir %s", dirs[i]);
    print_result(what, sys_unlinkat(AT_FDCWD, dirs[i], AT_REMOVEDIR));
  }
  print_result("getdents removed dir", sys_getdents64((int)dfd, buf, sizeof buf));
  sys_close((int)dfd);
  sys_close((int)ffd);
  list(".");
  print_result("umask", sys_umask(077));
  print_result("umask again", sys_umask(022));
  return 0;
}
