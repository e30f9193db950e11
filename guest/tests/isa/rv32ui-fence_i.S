/* fence_i: code written at run time into a writable and executable segment runs after FENCE.I, and
 * rewriting it and fencing again runs the new code, not a stale copy. Linked with link-rwx.ld. */
#include "test_macros.h"
#define ADDI_A0(imm) (((imm) << 20) | (10 << 7) | 0x13)   /* addi a0, x0, imm */
#define RET_INSN 0x00008067                               /* jalr x0, 0(ra) */
RVTEST_CODE_BEGIN
    TEST_CASE(2, a0, 111,
      la x1, code;
      li x2, ADDI_A0(111);
      sw x2, 0(x1);
      li x2, RET_INSN;
      sw x2, 4(x1);
      fence.i;
      jalr ra, x1, 0;
    )
    TEST_CASE(3, a0, 222,
      la x1, code;
      li x2, ADDI_A0(222);
      sw x2, 0(x1);
      fence.i;
      jalr ra, x1, 0;
    )
    TEST_CASE(4, a0, 333,        /* rewrite with a halfword store: only the immediate's top bits change */
      la x1, code;
      li x2, ADDI_A0(333);
      srli x2, x2, 16;
      sh x2, 2(x1);
      fence.i;
      jalr ra, x1, 0;
    )
    TEST_CASE(5, a0, 444,        /* code written into the second page of the buffer */
      la x1, code;
      li x3, 4096;
      add x1, x1, x3;
      li x2, ADDI_A0(444);
      sw x2, 0(x1);
      li x2, RET_INSN;
      sw x2, 4(x1);
      fence.i;
      jalr ra, x1, 0;
    )
    TEST_PASSFAIL
RVTEST_CODE_END

    .section .rwx, "awx"
    .balign 16
code:
    .space 8192
