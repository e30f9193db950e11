/* fence: FENCE (all orderings, and the TSO variant) executes as a no-op for a single hart and does not
 * disturb registers or memory. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
    TEST_CASE(2, x14, 0x12345678,
      la x1, cell;
      li x2, 0x12345678;
      sw x2, 0(x1);
      fence;
      lw x14, 0(x1);
    )
    TEST_CASE(3, x14, 0x9abcdef0,
      la x1, cell;
      li x2, 0x9abcdef0;
      fence rw, rw;
      sw x2, 0(x1);
      fence w, r;
      lw x14, 0(x1);
      fence.tso;
    )
    TEST_CASE(4, x2, 0x9abcdef0, fence i, o)
    TEST_PASSFAIL
RVTEST_CODE_END

RVTEST_DATA_BEGIN
cell: .word 0
RVTEST_DATA_END
