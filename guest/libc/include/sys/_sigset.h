/* sigset_t of Atoll's C library: 64 bits, the size the Linux RV32 kernel's rt_sig* calls take
 * (sizeof(sigset_t) = 8), one bit per signal (bit n-1 for signal n). Replaces picolibc's 32-bit one. */
#ifndef _SYS__SIGSET_H_
#define _SYS__SIGSET_H_
typedef unsigned long long __sigset_t;
#endif
