// The fixed layout of a node's shared memory. Every region has a stated base and size; the host mirrors
// these numbers in src/machine/layout.ts. Static data (AssemblyScript's, rewritten on each instantiation) sits
// below KERNEL_BASE and must stay read-only.
//
//   [0, KERNEL_BASE)                    AssemblyScript static data (checked at boot to fit)
//   [KERNEL_BASE, SCRATCH_BASE)         kernel control blocks: node header, harts, TLBs, tables, rings
//   [SCRATCH_BASE, RAM_BASE)            scratch for host measurements (benchmark locks and counters)
//   [RAM_BASE, RAM_BASE + ram_bytes)    the guest's physical RAM (physical address 0 of the guest)

export const KERNEL_BASE: u32 = 0x0010_0000; // 1 MiB
export const SCRATCH_BASE: u32 = 0x00F0_0000; // 15 MiB
export const SCRATCH_BYTES: u32 = 0x0010_0000; // 1 MiB
export const RAM_BASE: u32 = 0x0100_0000; // 16 MiB
export const WASM_PAGE_BYTES: u32 = 0x1_0000;
