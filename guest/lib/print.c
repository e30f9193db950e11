/* Printing for guests: puts, decimal and hex helpers and a small printf (%d %i %u %x %X %o %c %s %p %%,
 * l/ll/h/hh/z length modifiers, field width, the 0 and - flags). One printf call formats into a 1 KiB
 * stack buffer and issues one write, so lines from one call are never interleaved. */
#include "atoll.h"

#define PRINT_BUFFER_BYTES 1024

static long write_all(int fd, const char *s, size_t n) {
  size_t done = 0;
  while (done < n) {
    long r = sys_write(fd, s + done, n - done);
    if (r < 0) return r;
    if (r == 0) break;
    done += (size_t)r;
  }
  return (long)done;
}

long print_str(const char *s) { return write_all(STDOUT_FILENO, s, strlen(s)); }

long puts(const char *s) {
  long r = print_str(s);
  if (r < 0) return r;
  return write_all(STDOUT_FILENO, "\n", 1) < 0 ? -1 : r + 1;
}

long eputs(const char *s) {
  long r = write_all(STDERR_FILENO, s, strlen(s));
  if (r < 0) return r;
  return write_all(STDERR_FILENO, "\n", 1) < 0 ? -1 : r + 1;
}

long print_dec(int64_t v) { return printf("%lld", (long long)v); }
long print_udec(uint64_t v) { return printf("%llu", (unsigned long long)v); }
long print_hex(uint32_t v) { return printf("0x%08x", (unsigned)v); }

struct out {
  char *buf;
  size_t size; /* capacity including the terminating NUL */
  size_t len;  /* characters produced, even beyond size */
};

static void put(struct out *o, char c) {
  if (o->len + 1 < o->size) o->buf[o->len] = c;
  o->len++;
}

/* Digits of v in base (2..16) into tmp, least significant first; returns the count. */
static int digits(uint64_t v, unsigned base, int upper, char *tmp) {
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int n = 0;
  do {
    uint64_t q = v / base; /* __udivdi3 when v needs 64 bits */
    tmp[n++] = set[v - q * base];
    v = q;
  } while (v);
  return n;
}

static void put_field(struct out *o, const char *prefix, const char *body, int body_len, int reversed,
                      int width, int zero, int left) {
  int plen = (int)strlen(prefix);
  int pad = width - plen - body_len;
  if (pad < 0) pad = 0;
  if (!left && !zero) while (pad-- > 0) put(o, ' ');
  for (int i = 0; i < plen; i++) put(o, prefix[i]);
  if (!left && zero) while (pad-- > 0) put(o, '0');
  for (int i = 0; i < body_len; i++) put(o, reversed ? body[body_len - 1 - i] : body[i]);
  if (left) while (pad-- > 0) put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
  struct out o = { buf, size, 0 };
  char tmp[24];
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') { put(&o, *p); continue; }
    p++;
    int zero = 0, left = 0, width = 0, lng = 0;
    for (;; p++) {
      if (*p == '0') zero = 1;
      else if (*p == '-') left = 1;
      else break;
    }
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    for (;; p++) {
      if (*p == 'l') lng++;
      else if (*p == 'h' || *p == 'z') { /* promoted to int / size_t == 32 bits: nothing to do */ }
      else break;
    }
    if (left) zero = 0;
    char c = *p;
    if (c == 0) break;
    if (c == 'd' || c == 'i') {
      int64_t v = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
      uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
      int n = digits(mag, 10, 0, tmp);
      put_field(&o, v < 0 ? "-" : "", tmp, n, 1, width, zero, left);
    } else if (c == 'u' || c == 'x' || c == 'X' || c == 'o') {
      uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long)
                 : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
      unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
      int n = digits(v, base, c == 'X', tmp);
      put_field(&o, "", tmp, n, 1, width, zero, left);
    } else if (c == 'p') {
      uintptr_t v = (uintptr_t)va_arg(ap, void *);
      int n = digits(v, 16, 0, tmp);
      put_field(&o, "0x", tmp, n, 1, width, zero, left);
    } else if (c == 'c') {
      tmp[0] = (char)va_arg(ap, int);
      put_field(&o, "", tmp, 1, 0, width, 0, left);
    } else if (c == 's') {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      put_field(&o, "", s, (int)strlen(s), 0, width, 0, left);
    } else {
      put(&o, c); /* %% and anything unknown print themselves */
    }
  }
  if (o.size) o.buf[o.len < o.size ? o.len : o.size - 1] = 0;
  return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

static int vprint_fd(int fd, const char *fmt, va_list ap) {
  char buf[PRINT_BUFFER_BYTES];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  size_t len = n < (int)sizeof buf ? (size_t)n : sizeof buf - 1;
  long r = write_all(fd, buf, len);
  return r < 0 ? (int)r : (int)len;
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprint_fd(STDOUT_FILENO, fmt, ap);
  va_end(ap);
  return n;
}

int eprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprint_fd(STDERR_FILENO, fmt, ap);
  va_end(ap);
  return n;
}
