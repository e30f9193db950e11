/* qa_lrsc_fault: an SC.W that holds no reservation for its address fails (rd = 1) without touching
 * memory, so it cannot fault even on an unmapped address (as under qemu-user); the shape of the
 * official rv64ua/lrsc test's "sc without a reservation" and "sc with the wrong reservation" cases,
 * plus a reservation kept across a system call the kernel serves in place. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
    TEST_CASE(2, x14, 1,            /* no reservation, address 0 */
      li x1, 0;
      sc.w x14, x2, (x1);
    )
    TEST_CASE(3, x14, 1,            /* reserved elsewhere, address 0: fails, no fault */
      la x5, foo;
      lr.w x6, (x5);
      li x1, 0;
      sc.w x14, x6, (x1);
    )
    TEST_CASE(4, x14, 1,            /* the wrong reservation (foo + 1024), a mapped address */
      la x5, foo;
      addi x6, x5, 1024;
      lr.w x6, (x6);
      sc.w x14, x6, (x5);
    )
    TEST_CASE(5, x14, 0,            /* lr, getpid, sc: still reserved */
      la x5, foo;
      lr.w x6, (x5);
      li a7, 172;
      ecall;
      sc.w x14, x6, (x5);
    )
    TEST_CASE(6, x14, 1,            /* the reservation was consumed by test 5's SC */
      la x5, foo;
      sc.w x14, x6, (x5);
    )
RVTEST_CODE_END
RVTEST_DATA_BEGIN
foo: .word 0
     .fill 1100, 1, 0
RVTEST_DATA_END
