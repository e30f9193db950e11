/* test_macros.h: macros for Atoll's RV32 ISA self-tests, in the manner of the official riscv-tests
 * (rv32ui, rv32um, rv32ua) but written for a user-mode Linux process. Each test case loads TESTNUM (gp)
 * with its number, runs its code and branches to `fail` when a register differs from the expected value.
 * `fail` exits with the failing test's number (so numbers stay within 1..255); `pass` exits 0.
 * The harness uses x3 (gp) for the test number, x7 (t2) for expected values and x29/x30 (t4, t5)
 * as scratch; tests may use any other register. */
#ifndef TEST_MACROS_H
#define TEST_MACROS_H

#define TESTNUM gp
#define SYS_exit 93

#define RVTEST_CODE_BEGIN         \
    .section .text.start, "ax";   \
    .globl _start;                \
_start:                           \
    li TESTNUM, 0;

#define RVTEST_CODE_END           \
    j pass;                       \
fail:                             \
    mv a0, TESTNUM;               \
    li a7, SYS_exit;              \
    ecall;                        \
1:  j 1b;                         \
pass:                             \
    li a0, 0;                     \
    li a7, SYS_exit;              \
    ecall;                        \
2:  j 2b;

#define RVTEST_DATA_BEGIN .section .data; .balign 16;
#define RVTEST_DATA_END

#define MASK_XLEN(x) ((x) & 0xffffffff)

/* Go to `fail` when a != b. A conditional branch reaches only +-4 KiB, so long test programs
 * branch over an unconditional jump instead. */
#define FAIL_IF_NE(a, b)  \
    beq a, b, 8888f;      \
    j fail;               \
8888:
#define SEXT_IMM(x) ((x) | (-(((x) >> 11) & 1) << 11))

/* ---- the generic test case ---- */
#define TEST_CASE(testnum, testreg, correctval, code...) \
test_ ## testnum:                                        \
    li TESTNUM, testnum;                                 \
    code;                                                \
    li x7, MASK_XLEN(correctval);                        \
    FAIL_IF_NE(testreg, x7)

/* ---- register-immediate ---- */
#define TEST_IMM_OP(testnum, inst, result, val1, imm)   \
    TEST_CASE(testnum, x14, result,                     \
      li x1, MASK_XLEN(val1);                           \
      inst x14, x1, SEXT_IMM(imm);                      \
    )

#define TEST_IMM_SRC1_EQ_DEST(testnum, inst, result, val1, imm) \
    TEST_CASE(testnum, x1, result,                      \
      li x1, MASK_XLEN(val1);                           \
      inst x1, x1, SEXT_IMM(imm);                       \
    )

#define TEST_IMM_ZEROSRC1(testnum, inst, result, imm)   \
    TEST_CASE(testnum, x1, result,                      \
      inst x1, x0, SEXT_IMM(imm);                       \
    )

#define TEST_IMM_ZERODEST(testnum, inst, val1, imm)     \
    TEST_CASE(testnum, x0, 0,                           \
      li x1, MASK_XLEN(val1);                           \
      inst x0, x1, SEXT_IMM(imm);                       \
    )

/* ---- register-register ---- */
#define TEST_RR_OP(testnum, inst, result, val1, val2)   \
    TEST_CASE(testnum, x14, result,                     \
      li x1, MASK_XLEN(val1);                           \
      li x2, MASK_XLEN(val2);                           \
      inst x14, x1, x2;                                 \
    )

#define TEST_RR_SRC1_EQ_DEST(testnum, inst, result, val1, val2) \
    TEST_CASE(testnum, x1, result,                      \
      li x1, MASK_XLEN(val1);                           \
      li x2, MASK_XLEN(val2);                           \
      inst x1, x1, x2;                                  \
    )

#define TEST_RR_SRC2_EQ_DEST(testnum, inst, result, val1, val2) \
    TEST_CASE(testnum, x2, result,                      \
      li x1, MASK_XLEN(val1);                           \
      li x2, MASK_XLEN(val2);                           \
      inst x2, x1, x2;                                  \
    )

#define TEST_RR_SRC12_EQ_DEST(testnum, inst, result, val1) \
    TEST_CASE(testnum, x1, result,                      \
      li x1, MASK_XLEN(val1);                           \
      inst x1, x1, x1;                                  \
    )

#define TEST_RR_ZEROSRC1(testnum, inst, result, val)    \
    TEST_CASE(testnum, x2, result,                      \
      li x1, MASK_XLEN(val);                            \
      inst x2, x0, x1;                                  \
    )

#define TEST_RR_ZEROSRC2(testnum, inst, result, val)    \
    TEST_CASE(testnum, x2, result,                      \
      li x1, MASK_XLEN(val);                            \
      inst x2, x1, x0;                                  \
    )

#define TEST_RR_ZEROSRC12(testnum, inst, result)        \
    TEST_CASE(testnum, x1, result,                      \
      inst x1, x0, x0;                                  \
    )

#define TEST_RR_ZERODEST(testnum, inst, val1, val2)     \
    TEST_CASE(testnum, x0, 0,                           \
      li x1, MASK_XLEN(val1);                           \
      li x2, MASK_XLEN(val2);                           \
      inst x0, x1, x2;                                  \
    )

/* ---- loads and stores (base is a data label) ---- */
#define TEST_LD_OP(testnum, inst, result, offset, base) \
    TEST_CASE(testnum, x14, result,                     \
      la x1, base;                                      \
      inst x14, offset(x1);                             \
    )

#define TEST_LD_DEST_EQ_BASE(testnum, inst, result, offset, base) \
    TEST_CASE(testnum, x1, result,                      \
      la x1, base;                                      \
      inst x1, offset(x1);                              \
    )

#define TEST_ST_OP(testnum, load_inst, store_inst, result, offset, base) \
    TEST_CASE(testnum, x14, result,                     \
      la x1, base;                                      \
      li x2, MASK_XLEN(result);                         \
      store_inst x2, offset(x1);                        \
      load_inst x14, offset(x1);                        \
    )

/* A store must change only its own bytes: check the word holding them afterwards. */
#define TEST_ST_WORD(testnum, store_inst, value, offset, base, word_offset, word_result) \
    TEST_CASE(testnum, x14, word_result,                \
      la x1, base;                                      \
      li x2, MASK_XLEN(value);                          \
      store_inst x2, offset(x1);                        \
      lw x14, word_offset(x1);                          \
    )

/* ---- branches ---- */
#define TEST_BR2_OP_TAKEN(testnum, inst, val1, val2)    \
test_ ## testnum:                                       \
    li TESTNUM, testnum;                                \
    li x1, MASK_XLEN(val1);                             \
    li x2, MASK_XLEN(val2);                             \
    inst x1, x2, 2f;                                    \
    bne x0, TESTNUM, fail;                              \
1:  bne x0, TESTNUM, 3f;                                \
2:  inst x1, x2, 1b;                                    \
    bne x0, TESTNUM, fail;                              \
3:

#define TEST_BR2_OP_NOTTAKEN(testnum, inst, val1, val2) \
test_ ## testnum:                                       \
    li TESTNUM, testnum;                                \
    li x1, MASK_XLEN(val1);                             \
    li x2, MASK_XLEN(val2);                             \
    inst x1, x2, 1f;                                    \
    bne x0, TESTNUM, 2f;                                \
1:  bne x0, TESTNUM, fail;                              \
2:  inst x1, x2, 1b;                                    \
3:

/* ---- atomics: old value returned in x14, memory afterwards checked with a second case ---- */
#define TEST_AMO(testnum, inst, initial, operand, old, after) \
    TEST_CASE(testnum, x14, old,                        \
      la x1, amo_cell;                                  \
      li x2, MASK_XLEN(initial);                        \
      sw x2, 0(x1);                                     \
      li x5, MASK_XLEN(operand);                        \
      inst x14, x5, (x1);                               \
    )                                                   \
    lw x15, 0(x1);                                      \
    li x7, MASK_XLEN(after);                            \
    FAIL_IF_NE(x15, x7)

#define TEST_PASSFAIL bne x0, TESTNUM, pass; j fail;

#endif
