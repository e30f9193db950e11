/* lrsc: LR.W loads and reserves; SC.W stores and writes 0 to rd only when the reservation still holds,
 * otherwise writes nonzero and stores nothing. A reservation is consumed by an SC, so a second SC fails;
 * an SC to another address fails; LR/SC loops implement an atomic increment. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
    TEST_CASE(2, x14, 1,            /* SC with no LR before it fails */
      la x1, cell;
      sw x0, 0(x1);
      li x2, 99;
      sc.w x3, x2, (x1);
      snez x14, x3;
    )
    TEST_CASE(3, x14, 0,            /* ... and stores nothing */
      la x1, cell;
      lw x14, 0(x1);
    )
    TEST_CASE(4, x14, 0x1234,       /* LR returns the value */
      la x1, cell;
      li x2, 0x1234;
      sw x2, 0(x1);
      lr.w x14, (x1);
    )
    TEST_CASE(5, x14, 0,            /* SC right after LR succeeds */
      la x1, cell;
      li x2, 0x5678;
      sc.w x14, x2, (x1);
    )
    TEST_CASE(6, x14, 0x5678,       /* ... and stored */
      la x1, cell;
      lw x14, 0(x1);
    )
    TEST_CASE(7, x14, 1,            /* the reservation is gone: a second SC fails */
      la x1, cell;
      li x2, 0x9999;
      sc.w x3, x2, (x1);
      snez x14, x3;
    )
    TEST_CASE(8, x14, 0x5678,
      la x1, cell;
      lw x14, 0(x1);
    )
    TEST_CASE(9, x14, 1,            /* SC to a different address than the LR's fails */
      la x1, cell;
      la x4, other;
      lr.w x5, (x1);
      li x2, 0x7777;
      sc.w x3, x2, (x4);
      snez x14, x3;
    )
    TEST_CASE(10, x14, 0,
      la x4, other;
      lw x14, 0(x4);
    )
    TEST_CASE(11, x14, 300,         /* an LR/SC increment loop */
      la x1, cell;
      sw x0, 0(x1);
      li x6, 100;
      1: lr.w.aq x5, (x1);
      addi x5, x5, 3;
      sc.w.rl x3, x5, (x1);
      bnez x3, 1b;
      addi x6, x6, -1;
      bnez x6, 1b;
      lw x14, 0(x1);
    )
    TEST_CASE(12, x14, 0xabc,       /* LR with rd = rs1 */
      la x1, cell;
      li x2, 0xabc;
      sw x2, 0(x1);
      lr.w x1, (x1);
      mv x14, x1;
    )
    TEST_PASSFAIL
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .balign 64
cell:  .word 0
    .balign 64
other: .word 0
RVTEST_DATA_END
