// The kernel log: a small ring per hart (KLOG_ENTRIES of {code, pid, tid, arg}) that only the hart's own
// kernel instance writes and only the host driving that hart reads, so it needs no lock. When the host lags
// the oldest entries are overwritten and counted as dropped. The host turns codes into one-line messages.
import { hartBase, H_KLOG, H_KLOG_HEAD, H_KLOG_TAIL, H_KLOG_DROPPED } from './blocks';
import { KLOG_ENTRIES } from './limits';

// The codes (abi/defs.mjs) are shared with the host, which prints them.
import { KLOG_CLONE_FLAGS, KLOG_OOM, KLOG_FUTEX_OP, KLOG_DEADLOCK } from './abi';
export { KLOG_CLONE_FLAGS, KLOG_OOM, KLOG_FUTEX_OP, KLOG_DEADLOCK };

export function klog(hart: u32, code: u32, pid: u32, tid: u32, arg: u32): void {
  const h = hartBase(hart);
  const head = load<u32>(h + H_KLOG_HEAD);
  if (head - load<u32>(h + H_KLOG_TAIL) >= KLOG_ENTRIES) {
    store<u32>(h + H_KLOG_TAIL, load<u32>(h + H_KLOG_TAIL) + 1);
    store<u32>(h + H_KLOG_DROPPED, load<u32>(h + H_KLOG_DROPPED) + 1);
  }
  const e = h + H_KLOG + (head % KLOG_ENTRIES) * 16;
  store<u32>(e, code);
  store<u32>(e + 4, pid);
  store<u32>(e + 8, tid);
  store<u32>(e + 12, arg);
  store<u32>(h + H_KLOG_HEAD, head + 1);
}
