/* auipc: adds a 20-bit upper immediate to the address of the auipc itself. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
    TEST_CASE(2, x10, 10000,
      .balign 4;
      la x11, 1f;
      jal x10, 1f;
      1: sub x10, x10, x11;     /* jal's link is 1f: 0 */
      li x12, 10000;
      add x10, x10, x12;
    )
    TEST_CASE(3, x10, 0x1000,
      1: auipc x10, 0x1;
      la x11, 1b;
      sub x10, x10, x11;
    )
    TEST_CASE(4, x10, -0x1000,
      1: auipc x10, 0xfffff;
      la x11, 1b;
      sub x10, x10, x11;
    )
    TEST_CASE(5, x10, 0,
      1: auipc x10, 0;
      la x11, 1b;
      sub x10, x10, x11;
    )
    TEST_CASE(6, x10, 0x80000000,
      1: auipc x10, 0x80000;
      la x11, 1b;
      sub x10, x10, x11;
    )
    TEST_PASSFAIL
RVTEST_CODE_END
