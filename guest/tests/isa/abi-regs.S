/* abi-regs: the kernel preserves user registers. Every register except a0 keeps its value across
 * ecall (getpid, write, an unknown call), and all registers keep their values across a loop of
 * about 8 million instructions, long enough for many timer interrupts to preempt it. Exits 0, or the
 * failing case's number. */
#include "test_macros.h"

/* Give x1, x2, x4..x31 distinct values (x3 is TESTNUM; x0 is zero). */
#define SET_ALL                                             \
    li x1, 0x01010101; li x2, 0x02020202; li x4, 0x04040404; \
    li x5, 0x05050505; li x6, 0x06060606; li x7, 0x07070707; \
    li x8, 0x08080808; li x9, 0x09090909; li x10, 0x0a0a0a0a; \
    li x11, 0x0b0b0b0b; li x12, 0x0c0c0c0c; li x13, 0x0d0d0d0d; \
    li x14, 0x0e0e0e0e; li x15, 0x0f0f0f0f; li x16, 0x10101010; \
    li x18, 0x12121212; li x19, 0x13131313; li x20, 0x14141414; \
    li x21, 0x15151515; li x22, 0x16161616; li x23, 0x17171717; \
    li x24, 0x18181818; li x25, 0x19191919; li x26, 0x1a1a1a1a; \
    li x27, 0x1b1b1b1b; li x28, 0x1c1c1c1c; li x29, 0x1d1d1d1d; \
    li x30, 0x1e1e1e1e; li x31, 0x1f1f1f1f;

/* Compare one register with its pattern using x17 (a7) as scratch. */
#define CHECK(r, v) li x17, v; bne x##r, x17, fail;

/* All but a0 (x10) and a7 (x17, the call number). */
#define CHECK_ALL_BUT_A0                                       \
    CHECK(1, 0x01010101) CHECK(2, 0x02020202) CHECK(4, 0x04040404) \
    CHECK(5, 0x05050505) CHECK(6, 0x06060606) CHECK(7, 0x07070707) \
    CHECK(8, 0x08080808) CHECK(9, 0x09090909)                      \
    CHECK(11, 0x0b0b0b0b) CHECK(12, 0x0c0c0c0c) CHECK(13, 0x0d0d0d0d) \
    CHECK(14, 0x0e0e0e0e) CHECK(15, 0x0f0f0f0f) CHECK(16, 0x10101010) \
    CHECK(18, 0x12121212) CHECK(19, 0x13131313) CHECK(20, 0x14141414) \
    CHECK(21, 0x15151515) CHECK(22, 0x16161616) CHECK(23, 0x17171717) \
    CHECK(24, 0x18181818) CHECK(25, 0x19191919) CHECK(26, 0x1a1a1a1a) \
    CHECK(27, 0x1b1b1b1b) CHECK(28, 0x1c1c1c1c) CHECK(29, 0x1d1d1d1d) \
    CHECK(30, 0x1e1e1e1e) CHECK(31, 0x1f1f1f1f)

RVTEST_CODE_BEGIN
    la x17, saved_sp            /* sp (x2) gets a pattern too: keep it to restore at the end */
    sw sp, 0(x17)

    li TESTNUM, 2               /* getpid */
    SET_ALL
    li a7, 172
    ecall
    CHECK_ALL_BUT_A0
    blez a0, fail

    li TESTNUM, 3               /* write of zero bytes to stdout */
    SET_ALL
    li a0, 1
    la a1, saved_sp
    li a2, 0
    li x17, 64
    ecall
    la x17, saved_sp            /* a1 and a2 hold the arguments we gave */
    bne x11, x17, fail
    bnez x12, fail
    li x11, 0x0b0b0b0b          /* put their patterns back, then check everything else */
    li x12, 0x0c0c0c0c
    CHECK_ALL_BUT_A0
    bnez a0, fail

    li TESTNUM, 4               /* an unknown system call */
    SET_ALL
    li a7, 4000
    ecall
    CHECK_ALL_BUT_A0
    li x17, -38
    bne a0, x17, fail

    li TESTNUM, 5               /* a long loop: every register survives preemption */
    SET_ALL
    li x17, 2000000
1:  addi x17, x17, -1
    xor x10, x10, x17           /* a0 changes; restored by xoring back below */
    xor x10, x10, x17
    bnez x17, 1b
    CHECK_ALL_BUT_A0
    CHECK(10, 0x0a0a0a0a)

    la x17, saved_sp
    lw sp, 0(x17)
    TEST_PASSFAIL
RVTEST_CODE_END

RVTEST_DATA_BEGIN
saved_sp: .word 0
RVTEST_DATA_END
