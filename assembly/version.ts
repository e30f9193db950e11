// The kernel's interface version (KERNEL_VERSION, abi/defs.mjs): the host checks it before use.
import { KERNEL_VERSION } from './abi';

export function kernelVersion(): u32 {
  return KERNEL_VERSION;
}
