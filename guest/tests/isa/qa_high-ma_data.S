/* rv32ui-ma_data linked at 0x80000000 (link-high.ld), where the official riscv-tests put their code. */
#include "rv32ui-ma_data.S"
