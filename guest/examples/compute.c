/* compute: a compute-bound guest. Three kernels that stress different instruction mixes, each ending in
 * a checksum that is printed (deterministic for a given ROUNDS):
 *   sieve   primes below SIEVE_LIMIT (byte loads/stores, branches)
 *   crc32   CRC-32 of a pseudo-random buffer, bitwise (shifts, xors, branches)
 *   matmul  integer matrix multiply (mul, word loads)
 * An optional argument scales the work (rounds, default ROUNDS). */
#include "atoll.h"

#define SIEVE_LIMIT 200000
#define CRC_BYTES 65536
#define N 48
#define ROUNDS 32

static unsigned char composite[SIEVE_LIMIT];
static unsigned char data[CRC_BYTES];
static int32_t ma[N][N], mb[N][N], mc[N][N];

static uint32_t sieve(void) {
  memset(composite, 0, sizeof composite);
  uint32_t count = 0, sum = 0;
  for (uint32_t i = 2; i < SIEVE_LIMIT; i++) {
    if (composite[i]) continue;
    count++;
    sum += i;
    for (uint32_t j = i * 2; j < SIEVE_LIMIT; j += i) composite[j] = 1;
  }
  return count * 2654435761u ^ sum;
}

static uint32_t crc32(const unsigned char *p, uint32_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
  }
  return ~crc;
}

static uint32_t matmul(uint32_t seed) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      seed = seed * 1103515245u + 12345u;
      ma[i][j] = (int32_t)(seed >> 16) % 201 - 100;
      seed = seed * 1103515245u + 12345u;
      mb[i][j] = (int32_t)(seed >> 16) % 201 - 100;
    }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int32_t s = 0;
      for (int k = 0; k < N; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  uint32_t h = 2166136261u;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) h = (h ^ (uint32_t)mc[i][j]) * 16777619u;
  return h;
}

static int parse_uint(const char *s, int fallback) {
  int v = 0;
  if (!s || !*s) return fallback;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 100000) return fallback;
    v = v * 10 + (*s - '0');
  }
  return v;
}

int main(int argc, char **argv) {
  int rounds = parse_uint(argc > 1 ? argv[1] : 0, ROUNDS);
  uint32_t x = 12345;
  for (uint32_t i = 0; i < CRC_BYTES; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    data[i] = (unsigned char)x;
  }
  uint32_t total = 0;
  for (int r = 0; r < rounds; r++) {
    uint32_t s = sieve(), c = crc32(data, CRC_BYTES), m = matmul((uint32_t)r + 1);
    data[r % CRC_BYTES] ^= (unsigned char)c;
    total = (total * 31u) ^ s ^ c ^ m;
    printf("round %d: sieve %08x crc32 %08x matmul %08x\n", r, s, c, m);
  }
  printf("checksum %08x\n", total);
  return 0;
}
