// The host's mirror of the kernel's memory layout (src/machine/layout.ts) agrees with the kernel: values the
// kernel writes through its exports appear at the offsets the host reads.
import { describe, it, expect } from 'vitest';
import { A } from './helpers/asm.js';
import { paged, CODE_VA } from './helpers/machine.js';
import {
  MACHINE_BASE, M_RAM_BYTES, M_FRAMES_USED, hartBase, H_TLB_SETS, H_TLB_WAYS, H_MTIMECMP, H_SATP, H_TICK_INSNS, TLB_BASE, TLB_TABLE_BYTES, ACC_FETCH,
} from '../../src/machine/layout.js';

describe('layout mirror', () => {
  it('node header, hart block and TLB fields sit where the host looks for them', async () => {
    const m = await paged([A.ecall()], { ram_bytes: 4 << 20, harts: 2, tlb_entries: 64, tlb_ways: 2, asid: 5 });
    const v = m.machine.view;
    const k = m.machine.kernel;
    expect(v.getUint32(MACHINE_BASE + M_RAM_BYTES, true)).toBe(4 << 20);
    const used = v.getUint32(MACHINE_BASE + M_FRAMES_USED, true);
    expect(used).toBe(k.framesUsed());
    k.frameAlloc();
    expect(v.getUint32(MACHINE_BASE + M_FRAMES_USED, true)).toBe(used + 1);
    const h1 = hartBase(1);
    expect([v.getUint32(h1 + H_TLB_SETS, true), v.getUint32(h1 + H_TLB_WAYS, true), v.getUint32(h1 + H_TICK_INSNS, true)]).toEqual([32, 2, 10]);
    k.timerArm(1, 5, 7);
    expect(v.getBigUint64(h1 + H_MTIMECMP, true)).toBe((7n << 32n) | 5n);
    k.hartSetSatp(1, 0x8123_4567);
    expect(v.getUint32(h1 + H_SATP, true)).toBe(0x8123_4567);
    k.run(0, 10);
    // The fetch of CODE_VA filled way 0 of its set in hart 0's fetch table, tagged with ASID 5.
    const set = (CODE_VA >>> 12) & 31;
    expect(v.getUint32(TLB_BASE + ACC_FETCH * TLB_TABLE_BYTES + set * 16, true)).toBe((CODE_VA | (5 << 3)) >>> 0);
  });
});
