/* lui: loads a 20-bit immediate into the upper bits, zeroing the low 12; x0 stays zero. */
#include "test_macros.h"
RVTEST_CODE_BEGIN
    TEST_CASE(2, x1, 0x00000000, lui x1, 0x00000)
    TEST_CASE(3, x1, 0xfffff000, lui x1, 0xfffff)
    TEST_CASE(4, x1, 0x7ffff000, lui x1, 0x7ffff)
    TEST_CASE(5, x1, 0x80000000, lui x1, 0x80000)
    TEST_CASE(6, x1, 0x00001000, lui x1, 0x00001)
    TEST_CASE(7, x1, 0x12345000, li x1, -1; lui x1, 0x12345)
    TEST_CASE(8, x1, 0xffffe800, lui x1, 0xfffff; addi x1, x1, -2048)
    TEST_CASE(9, x1, 0x7fffffff, lui x1, 0x80000; addi x1, x1, -1)
    TEST_CASE(10, x0, 0, lui x0, 0x80000)
    TEST_PASSFAIL
RVTEST_CODE_END
