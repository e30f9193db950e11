// The addresses of the machine's shared memory regions, the fields of every block in it, the limits and the
// numbers the kernel reports: all generated into abi.ts from abi/defs.mjs, the one definition the kernel
// (assembly/) and the guest header (guest/include/atoll_abi.h) are generated from too. The kernel reports the
// values it was compiled with and kernel.ts compares them when it loads kernel.wasm.
export * from './abi.js';
import { SATP_MODE_SV32 } from './abi.js';

/** satp's MODE bit for Sv32 (the host's short name). */
export const SATP_SV32 = SATP_MODE_SV32;
