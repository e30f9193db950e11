/* The clone trampoline. A C function cannot survive clone's return in the child: the child wakes on a
 * fresh, empty stack with the parent's registers, so fn and arg are stored on the new stack before the
 * call and picked up from there. The child calls fn(arg), then exit(2)s (93, the thread only) with its
 * result; it never returns into the parent's frames.
 *   long atoll_clone(flags a0, stack_top a1, ptid a2, tls a3, ctid a4, fn a5, arg a6)
 * a0..a4 are already the RV32 kernel's clone arguments (flags, newsp, parent_tid, tls, child_tid). */
__asm__(
    "    .text\n"
    "    .globl atoll_clone\n"
    "    .type atoll_clone, @function\n"
    "atoll_clone:\n"
    "    andi  a1, a1, -16\n"      /* the child's sp: 16-byte aligned, with fn and arg just below the top */
    "    addi  a1, a1, -16\n"
    "    sw    a5, 0(a1)\n"
    "    sw    a6, 4(a1)\n"
    "    li    a7, 220\n"          /* clone */
    "    ecall\n"
    "    beqz  a0, 1f\n"
    "    ret\n"                    /* parent: the child's tid, or -errno */
    "1:  lw    t0, 0(sp)\n"        /* child: sp is the new stack */
    "    lw    a0, 4(sp)\n"
    "    jalr  t0\n"
    "    li    a7, 93\n"           /* exit(fn's result): this thread only */
    "    ecall\n"
    "2:  j     2b\n"
    "    .size atoll_clone, . - atoll_clone\n");
