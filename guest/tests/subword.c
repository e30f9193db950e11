/* subword: byte and halfword loads and stores. lb/lh sign-extend, lbu/lhu zero-extend, sb/sh write only
 * their bytes and leave the neighbours alone; memory is little-endian. */
#include "atoll.h"

static volatile uint32_t words[4] = { 0x80ff7f01u, 0x8001fffeu, 0x12345678u, 0xdeadbeefu };

#define LOAD(name, insn, off)                                                                \
  static uint32_t name##_##off(void) {                                                       \
    uint32_t r;                                                                              \
    __asm__ volatile(insn " %0, " #off "(%1)" : "=r"(r) : "r"(words) : "memory");           \
    return r;                                                                                \
  }
LOAD(lb, "lb", 0) LOAD(lb, "lb", 1) LOAD(lb, "lb", 2) LOAD(lb, "lb", 3)
LOAD(lbu, "lbu", 0) LOAD(lbu, "lbu", 1) LOAD(lbu, "lbu", 2) LOAD(lbu, "lbu", 3)
LOAD(lh, "lh", 0) LOAD(lh, "lh", 2) LOAD(lh, "lh", 4) LOAD(lh, "lh", 6)
LOAD(lhu, "lhu", 0) LOAD(lhu, "lhu", 2) LOAD(lhu, "lhu", 4) LOAD(lhu, "lhu", 6)

static void sb(volatile void *p, uint32_t v) { __asm__ volatile("sb %0, 0(%1)" :: "r"(v), "r"(p) : "memory"); }
static void sh(volatile void *p, uint32_t v) { __asm__ volatile("sh %0, 0(%1)" :: "r"(v), "r"(p) : "memory"); }

int main(void) {
  printf("lb:  %08x %08x %08x %08x\n", lb_0(), lb_1(), lb_2(), lb_3());
  printf("lbu: %08x %08x %08x %08x\n", lbu_0(), lbu_1(), lbu_2(), lbu_3());
  printf("lh:  %08x %08x %08x %08x\n", lh_0(), lh_2(), lh_4(), lh_6());
  printf("lhu: %08x %08x %08x %08x\n", lhu_0(), lhu_2(), lhu_4(), lhu_6());

  volatile uint8_t *bytes = (volatile uint8_t *)&words[2];
  sb(bytes + 1, 0xffffffaau); /* only the low byte is stored */
  printf("sb at +1: %08x (neighbour %08x)\n", words[2], words[3]);
  sb(bytes + 3, 0x00);
  printf("sb at +3: %08x\n", words[2]);
  sh((volatile uint8_t *)&words[3] + 2, 0x1234cafeu);
  printf("sh at +2: %08x (neighbour %08x)\n", words[3], words[2]);
  sh((volatile uint8_t *)&words[3], 0xffff8000u);
  printf("sh at +0: %08x\n", words[3]);

  /* C-level char/short arithmetic: signed and unsigned conversions */
  volatile int8_t sc = -128;
  volatile uint8_t uc = 200;
  volatile int16_t ss = -32768;
  volatile uint16_t us = 65535;
  printf("int8 %d uint8 %u int16 %d uint16 %u\n", sc, uc, ss, us);
  sc = (int8_t)(sc - 1);
  uc = (uint8_t)(uc + 100);
  ss = (int16_t)(ss - 1);
  us = (uint16_t)(us + 1);
  printf("wrapped: int8 %d uint8 %u int16 %d uint16 %u\n", sc, uc, ss, us);
  return 0;
}
