// The kernel's interface version: the host checks it before use.
export function kernelVersion(): u32 {
  return 6;
}
