/* qa_ints: integer edge cases at every width: shifts by every amount, signed/unsigned compares,
 * 64-bit multiply, divide and remainder through the helpers, sign and zero extension. */
#include <atoll.h>

static volatile int32_t V32[] = {0, 1, -1, 2, -2, 7, -7, 0x7fffffff, (int32_t)0x80000000, 0x55555555,
                                 (int32_t)0xaaaaaaaa, 12345, -12345, 0x10000, 65535, -65536};
static volatile int64_t V64[] = {0, 1, -1, 3, -3, 0x7fffffffffffffffLL, (int64_t)0x8000000000000000ULL,
                                 0x100000000LL, -0x100000000LL, 0xffffffffLL, 1000000007LL,
                                 -999999999999LL, 0x123456789abcdefLL, 10, -10};
#define N32 (sizeof V32 / sizeof V32[0])
#define N64 (sizeof V64 / sizeof V64[0])

static uint32_t h = 2166136261u;
static void mix(uint32_t v) { h = (h ^ v) * 16777619u; }
static void mix64(uint64_t v) { mix((uint32_t)v); mix((uint32_t)(v >> 32)); }

int main(void) {
  for (unsigned i = 0; i < N32; i++)
    for (unsigned j = 0; j < N32; j++) {
      int32_t a = V32[i], b = V32[j];
      uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
      mix(a + b); mix(a - b); mix((uint32_t)a * (uint32_t)b);
      mix(a < b); mix(ua < ub); mix(a <= b); mix(ua >= ub);
      mix(ua << (ub & 31)); mix(ua >> (ub & 31)); mix((uint32_t)(a >> (b & 31)));
      if (b != 0 && !(a == (int32_t)0x80000000 && b == -1)) { mix(a / b); mix(a % b); }
      if (ub) { mix(ua / ub); mix(ua % ub); }
      mix((uint32_t)(((int64_t)a * b) >> 32)); mix((uint32_t)(((uint64_t)ua * ub) >> 32));
      mix((uint32_t)(((int64_t)a * (uint64_t)ub) >> 32));
      mix((int8_t)a + (int8_t)b); mix((uint8_t)a * (uint8_t)b); mix((int16_t)a * (int16_t)b);
      mix((uint16_t)((uint16_t)a + (uint16_t)b));
    }
  printf("32-bit hash %08x\n", h);
  for (unsigned i = 0; i < N64; i++)
    for (unsigned j = 0; j < N64; j++) {
      int64_t a = V64[i], b = V64[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      mix64(ua + ub); mix64(ua - ub); mix64(ua * ub);
      mix(a < b); mix(ua < ub);
      mix64(ua << (ub & 63)); mix64(ua >> (ub & 63)); mix64((uint64_t)(a >> (b & 63)));
      if (b != 0 && !(a == (int64_t)0x8000000000000000ULL && b == -1)) { mix64(a / b); mix64(a % b); }
      if (ub) { mix64(ua / ub); mix64(ua % ub); }
    }
  printf("64-bit hash %08x\n", h);
  for (int s = 0; s < 64; s++) {
    volatile int64_t x = (int64_t)0x8000000000000001ULL;
    printf("%d %llx %llx %llx\n", s, (unsigned long long)(x >> s), (unsigned long long)((uint64_t)x >> s),
           (unsigned long long)((uint64_t)x << s));
  }
  volatile int64_t m = -7;
  printf("-7/2=%lld -7%%2=%lld 7/-2=%lld 7%%-2=%lld\n", (long long)(m / 2), (long long)(m % 2),
         (long long)(-m / -2), (long long)(-m % -2));
  volatile uint64_t big = 0xffffffffffffffffULL;
  printf("max/3=%llu max%%7=%llu\n", (unsigned long long)(big / 3), (unsigned long long)(big % 7));
  printf("min64=%lld\n", (long long)V64[6]);
  printf("print min32 %d max32 %d umax %u\n", (int)0x80000000, 0x7fffffff, 0xffffffffu);
  return 0;
}
