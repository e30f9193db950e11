/* misaligned: word and halfword loads and stores at every misaligned offset, including accesses that
 * straddle a page boundary. A Linux process sees them work (the kernel emulates them when the hardware
 * does not), so they must work here too. */
#include "atoll.h"

static uint8_t page_pair[8192] __attribute__((aligned(4096)));

static uint32_t lw_at(const volatile uint8_t *p) { uint32_t v; __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(p) : "memory"); return v; }
static uint32_t lh_at(const volatile uint8_t *p) { uint32_t v; __asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(p) : "memory"); return v; }
static uint32_t lhu_at(const volatile uint8_t *p) { uint32_t v; __asm__ volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(p) : "memory"); return v; }
static void sw_at(volatile uint8_t *p, uint32_t v) { __asm__ volatile("sw %0, 0(%1)" :: "r"(v), "r"(p) : "memory"); }
static void sh_at(volatile uint8_t *p, uint32_t v) { __asm__ volatile("sh %0, 0(%1)" :: "r"(v), "r"(p) : "memory"); }

int main(void) {
  volatile uint8_t *b = page_pair;
  for (int i = 0; i < 16; i++) b[i] = (uint8_t)(0x81 + i * 0x11);
  for (int off = 0; off < 4; off++)
    printf("lw +%d %08x  lh +%d %08x  lhu +%d %08x\n", off, lw_at(b + off), off, lh_at(b + off), off, lhu_at(b + off));

  for (int off = 1; off < 4; off++) {
    for (int i = 0; i < 12; i++) b[i] = 0;
    sw_at(b + off, 0xa1b2c3d4u);
    sh_at(b + 8 + off, 0xe5f6u);
    printf("sw/sh +%d:", off);
    for (int i = 0; i < 12; i++) printf(" %02x", b[i]);
    printf("\n");
  }

  /* straddling the boundary between two pages */
  volatile uint8_t *edge = page_pair + 4096;
  for (int off = 1; off <= 3; off++) {
    sw_at(edge - off, 0x11223344u * (uint32_t)off);
    printf("page-straddling word at -%d: %08x, bytes %02x %02x\n", off, lw_at(edge - off), edge[-1], edge[0]);
  }
  sh_at(edge - 1, 0xbeefu);
  printf("page-straddling half: %08x %08x\n", lhu_at(edge - 1), lh_at(edge - 1));

  /* the compiler's own unaligned struct access */
  struct __attribute__((packed)) { uint8_t tag; uint32_t value; uint16_t half; } pk;
  volatile uint8_t *raw = (volatile uint8_t *)&pk;
  for (unsigned i = 0; i < sizeof pk; i++) raw[i] = (uint8_t)(i * 37 + 1);
  printf("packed: tag %u value %08x half %04x\n", pk.tag, pk.value, pk.half);
  return 0;
}
