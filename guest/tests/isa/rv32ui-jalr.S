/* jalr: jumps to (rs1 + imm) with bit 0 cleared and writes pc+4 to rd, reading rs1 before writing rd. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
test_2:
    li TESTNUM, 2
    li x5, 0
    la x6, 1f
    jalr x5, x6, 0
2:  j fail
1:  la x7, 2b
    bne x5, x7, fail

test_3:                     /* rd = rs1: the jump uses the old value */
    li TESTNUM, 3
    la x6, 1f
    jalr x6, x6, 0
2:  j fail
1:  la x7, 2b
    bne x6, x7, fail

test_4:                     /* a positive offset */
    li TESTNUM, 4
    la x6, 1f
    addi x6, x6, -12
    jalr x0, x6, 12
    j fail
1:

test_5:                     /* a negative offset */
    li TESTNUM, 5
    la x6, 1f
    addi x6, x6, 100
    jalr x0, x6, -100
    j fail
1:

test_6:                     /* bit 0 of the target is cleared */
    li TESTNUM, 6
    la x6, 1f
    addi x6, x6, 1
    jalr x0, x6, 0
    j fail
1:

test_7:                     /* odd offset, even base: bit 0 cleared after the add */
    li TESTNUM, 7
    la x6, 1f
    addi x6, x6, -4
    jalr x0, x6, 5
    j fail
1:

test_8:                     /* call and return */
    li TESTNUM, 8
    li x10, 0
    call func
    li x7, 5
    bne x10, x7, fail
    TEST_PASSFAIL
RVTEST_CODE_END

func:
    li x10, 5
    ret
