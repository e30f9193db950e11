/* zicntr: the user counters cycle, time and instret (and their high halves) can be read; instret and
 * cycle advance across a block of instructions and never go backwards; the 64-bit halves read
 * consistently. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
    TEST_CASE(2, x14, 1,            /* instret advances over 10 instructions */
      rdinstret x1;
      nop; nop; nop; nop; nop; nop; nop; nop; nop; nop;
      rdinstret x2;
      sub x3, x2, x1;
      sltiu x14, x3, 10;
      xori x14, x14, 1;
    )
    TEST_CASE(3, x14, 1,            /* cycle advances */
      rdcycle x1;
      nop; nop; nop; nop; nop; nop; nop; nop;
      rdcycle x2;
      sltu x14, x1, x2;
    )
    TEST_CASE(4, x14, 1,            /* time never goes backwards over many reads */
      li x6, 1000;
      rdtime x1;
      1: rdtime x2;
      bltu x2, x1, fail;
      mv x1, x2;
      addi x6, x6, -1;
      bnez x6, 1b;
      li x14, 1;
    )
    TEST_CASE(5, x14, 1,            /* a consistent 64-bit read of instret */
      1: rdinstreth x1;
      rdinstret x2;
      rdinstreth x3;
      bne x1, x3, 1b;
      li x14, 1;
    )
    TEST_CASE(6, x14, 1,            /* cycleh and timeh read without trapping */
      rdcycleh x1;
      rdtimeh x2;
      li x14, 1;
    )
    TEST_PASSFAIL
RVTEST_CODE_END
