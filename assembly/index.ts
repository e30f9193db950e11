// The node kernel's exports. (The hart, MMU, TLB and timer are being laid out; see DESIGN.md.)
export function kernelVersion(): u32 {
  return 1;
}
export * from './spinlock';
