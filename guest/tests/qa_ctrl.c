/* qa_ctrl: switch jump tables, function pointers, deep recursion, large stack frames, struct copies,
 * volatile sub-word accesses, packed (misaligned) structs. */
#include <atoll.h>

static int sw(int x) {
  switch (x) {
    case 0: return 11; case 1: return 22; case 2: return 35; case 3: return 47; case 4: return 51;
    case 5: return 66; case 6: return 70; case 7: return 88; case 8: return 93; case 9: return 101;
    case 10: return 7; case 12: return 3; case 15: return -4; default: return -1;
  }
}
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int (*const OPS[])(int, int) = {add, sub, mul};

static int ack(int m, int n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
static unsigned deep(unsigned n) { volatile char pad[64]; pad[n & 63] = (char)n; return n ? deep(n - 1) + pad[n & 63] : 0; }

__attribute__((noinline)) static uint32_t bigframe(unsigned n) {
  volatile uint8_t buf[200000];
  for (unsigned i = 0; i < sizeof buf; i += 97) buf[i] = (uint8_t)(i * n);
  uint32_t s = 0;
  for (unsigned i = 0; i < sizeof buf; i += 97) s += buf[i];
  return s;
}

struct big { int a[33]; char c; short s; long long ll; };
static struct big make(int k) { struct big b; for (int i = 0; i < 33; i++) b.a[i] = i * k; b.c = (char)k; b.s = (short)-k; b.ll = (long long)k << 40; return b; }

struct __attribute__((packed)) pk { char c; int i; short s; long long ll; char d; unsigned u; };

int main(void) {
  for (int i = -2; i < 18; i++) printf("%d ", sw(i));
  puts("");
  for (int i = 0; i < 9; i++) printf("%d ", OPS[i % 3](i * 1000, i - 4));
  puts("");
  printf("ack(2,3)=%d ack(3,5)=%d\n", ack(2, 3), ack(3, 5));
  printf("deep=%u\n", deep(3000));
  printf("bigframe=%u\n", bigframe(3));
  struct big x = make(3), y;
  y = x;
  y.a[32]++;
  printf("copy %d %d %d %lld %d\n", y.a[5], y.a[32], y.c, y.ll, y.s);
  static struct pk p[3];
  volatile struct pk *vp = p;
  for (int i = 0; i < 3; i++) {
    vp[i].c = (char)i; vp[i].i = -123456 * (i + 1); vp[i].s = (short)(-300 * i); vp[i].ll = -1234567890123LL * i;
    vp[i].d = 9; vp[i].u = 0xdeadbeefu >> i;
  }
  for (int i = 0; i < 3; i++) printf("pk %d %d %d %lld %d %x\n", vp[i].c, vp[i].i, vp[i].s, vp[i].ll, vp[i].d, vp[i].u);
  printf("sizeof pk %u\n", (unsigned)sizeof(struct pk));
  volatile uint32_t w = 0x89abcdef;
  volatile uint8_t *b = (volatile uint8_t *)&w;
  volatile int8_t *sb = (volatile int8_t *)&w;
  volatile uint16_t *hw = (volatile uint16_t *)&w;
  volatile int16_t *shw = (volatile int16_t *)&w;
  printf("%x %x %x %x | %d %d %d %d | %x %x | %d %d\n", b[0], b[1], b[2], b[3], sb[0], sb[1], sb[2], sb[3], hw[0], hw[1], shw[0], shw[1]);
  b[1] = 0x80; hw[1] = 0x7fff;
  printf("%x\n", w);
  /* misaligned through pointers of every width */
  static uint8_t raw[32];
  for (int i = 0; i < 32; i++) raw[i] = (uint8_t)(0xf0 + i);
  for (int off = 0; off < 8; off++) {
    volatile uint16_t *p16 = (volatile uint16_t *)(raw + off);
    volatile int16_t *s16 = (volatile int16_t *)(raw + off);
    volatile uint32_t *p32 = (volatile uint32_t *)(raw + off);
    printf("off %d: %x %d %x\n", off, *p16, *s16, *p32);
  }
  for (int off = 1; off < 4; off++) { *(volatile uint32_t *)(raw + 8 + off * 5) = 0x11223344u * off; *(volatile uint16_t *)(raw + 3 + off * 3) = 0xa5a5; }
  for (int i = 0; i < 32; i++) printf("%02x", raw[i]);
  puts("");
  return 0;
}
