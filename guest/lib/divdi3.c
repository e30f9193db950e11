/* The 64-bit division helpers clang calls on RV32 (the M extension divides only 32-bit values):
 * __udivdi3, __umoddi3, __divdi3, __moddi3. Shift-and-subtract, at most 64 steps; a fast path when
 * both operands fit in 32 bits. Division by zero follows the RISC-V rule for DIV/REM (quotient all ones,
 * remainder the dividend) instead of trapping, so a guest never dies inside this file. */
#include <stdint.h>

static uint64_t udivmod(uint64_t n, uint64_t d, uint64_t *rem) {
  if (d == 0) { *rem = n; return ~(uint64_t)0; }
  if ((n >> 32) == 0 && (d >> 32) == 0) {
    uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
    *rem = n32 % d32;
    return n32 / d32;
  }
  uint64_t q = 0, r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) { r -= d; q |= (uint64_t)1 << i; }
  }
  *rem = r;
  return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d) { uint64_t r; return udivmod(n, d, &r); }
uint64_t __umoddi3(uint64_t n, uint64_t d) { uint64_t r; udivmod(n, d, &r); return r; }

int64_t __divdi3(int64_t n, int64_t d) {
  if (d == 0) return -1;
  uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
  uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
  uint64_t r;
  uint64_t q = udivmod(un, ud, &r);
  return (int64_t)(((n < 0) != (d < 0)) ? -q : q); /* INT64_MIN / -1 wraps to INT64_MIN */
}

int64_t __moddi3(int64_t n, int64_t d) {
  if (d == 0) return n;
  uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
  uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
  uint64_t r;
  udivmod(un, ud, &r);
  return (int64_t)(n < 0 ? -r : r); /* the remainder takes the dividend's sign */
}
