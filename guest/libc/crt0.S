# _start of programs built with Atoll's C library. The Linux RISC-V initial stack holds, from sp up:
# argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs ending with AT_NULL. _start keeps that stack,
# loads gp and hands argc/argv/envp to __libc_start_main (src/start.c), which sets up TLS and stdio,
# runs the constructors, calls main and exit()s with its result. It never returns.
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    lw      a0, 0(sp)           # argc
    addi    a1, sp, 4           # argv
    slli    t0, a0, 2
    add     a2, a1, t0
    addi    a2, a2, 4           # envp = argv + argc + 1
    andi    sp, sp, -16
    call    __libc_start_main
1:  j       1b
    .size _start, . - _start
