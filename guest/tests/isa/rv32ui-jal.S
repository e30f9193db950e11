/* jal: jumps pc-relative (forward and backward) and writes pc+4 to rd; with rd = x0 it links nothing. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
test_2:
    li TESTNUM, 2
    li ra, 0
    jal x4, 1f
2:  j fail
1:  la x2, 2b
    bne x2, x4, fail

test_3:                     /* the instructions after a taken jal are skipped */
    li TESTNUM, 3
    li x1, 1
    jal x0, 1f
    addi x1, x1, 1
    addi x1, x1, 1
    j fail
1:  addi x1, x1, 1
    li x7, 2
    bne x1, x7, fail

test_4:                     /* backward jump */
    li TESTNUM, 4
    li x5, 0
    j 2f
1:  addi x5, x5, 10
    j 3f
2:  jal x6, 1b
    j fail
3:  li x7, 10
    bne x5, x7, fail

test_5:                     /* rd = x0 does not write */
    li TESTNUM, 5
    jal x0, 1f
1:  bnez x0, fail

test_6:                     /* a long jump over a 64 KiB gap */
    li TESTNUM, 6
    jal x8, far
back:
    la x9, far_ret
    bne x8, x9, fail
    TEST_PASSFAIL
RVTEST_CODE_END

    .section .text.far, "ax"
    .space 0x10000
far:
    la x9, test_6
    jal x0, back
far_ret = back
