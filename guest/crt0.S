# crt0: the entry point of every C guest. The Linux RISC-V initial stack holds, from sp upwards:
#   argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs (type, value) ending with AT_NULL.
# _start loads gp, passes argc/argv/envp to main and exits the whole process with main's result
# (exit_group, 94). It never returns.
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
    andi    sp, sp, -16         # the psABI wants a 16-byte aligned stack at calls
    call    main
    li      a7, 94              # exit_group(main's result)
    ecall
1:  j       1b
    .size _start, . - _start
