// Processes and the Linux RV32 system calls: the initial stack, write, exit, brk with demand paging,
// getpid, the virtual clocks, sleeps, -EFAULT on bad pointers and -ENOSYS on unknown numbers.
import { describe, it, expect } from 'vitest';
import { A } from './helpers/asm.js';
import { Machine, Process, copyFromUser, type ElfImage, type GuestIO } from '../../src/machine/index.js';

const a0 = 10, a1 = 11, a2 = 12, a7 = 17, s1 = 9, s2 = 18, s3 = 19, s4 = 20;
const CODE = 0x1_0000, DATA = 0x2_0000;

function sys(nr: number, ...args: number[]): number[] {
  return [...args.flatMap((v, i) => A.li(a0 + i, v)), ...A.li(a7, nr), A.ecall()];
}
const exit = (code: number): number[] => sys(93, code);

function image(code: number[], data: Uint8Array = new Uint8Array(16)): ElfImage {
  const bytes = new Uint8Array(code.length * 4);
  code.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w >>> 0, true));
  return {
    entry: CODE,
    segments: [
      { vaddr: CODE, memsz: bytes.length, filesz: bytes.length, data: bytes, readable: true, writable: false, executable: true },
      { vaddr: DATA, memsz: 0x2000, filesz: data.length, data, readable: true, writable: true, executable: false },
    ],
  };
}

class Capture implements GuestIO {
  out = '';
  err = '';
  write(fd: 1 | 2, bytes: Uint8Array): void {
    if (fd === 1) this.out += new TextDecoder().decode(bytes); else this.err += new TextDecoder().decode(bytes);
  }
}

async function start(code: number[], data?: Uint8Array, argv = ['prog']): Promise<{ p: Process; machine: Machine; io: Capture }> {
  const machine = await Machine.create({ ram_bytes: 8 << 20 });
  return { p: new Process(machine, image(code, data), { argv, envp: ['HOME=/'] }), machine, io: new Capture() };
}

describe('system calls', () => {
  it('write sends bytes to stdout and stderr and returns the count; bad fd and pointer fail', async () => {
    const { p, machine, io } = await start([
      ...sys(64, 1, DATA, 3), A.addi(s1, a0, 0),
      ...sys(64, 2, DATA + 3, 2), A.addi(s2, a0, 0),
      ...sys(64, 7, DATA, 1), A.addi(s3, a0, 0),
      ...sys(64, 1, 0x7000_0000, 4), A.addi(s4, a0, 0),
      ...sys(64, 1, DATA, 0x7fff_ffff), // a huge count running past the mapped pages: -EFAULT
      A.addi(a1, a0, 0),
      ...exit(0),
    ], new TextEncoder().encode('hi\nyo'));
    expect(p.run(io)).toEqual({ kind: 'exit', code: 0 });
    expect(io.out).toBe('hi\n');
    expect(io.err).toBe('yo');
    expect([s1, s2, s3, s4, a1].map((r) => machine.reg(0, r) | 0)).toEqual([3, 2, -9, -14, -14]);
  });

  it('a write to a pipe whose reader has gone kills the process with SIGPIPE', async () => {
    const { p } = await start([...sys(64, 1, DATA, 1), ...exit(0)]);
    expect(p.run({ write: () => -32 })).toEqual({ kind: 'killed', signal: 'SIGPIPE', reason: 'write to a pipe with no reader' });
  });

  it('exit and exit_group report the status modulo 256; unknown calls return -ENOSYS', async () => {
    const { p, machine, io } = await start([...sys(999), A.addi(s1, a0, 0), ...sys(172), A.addi(s2, a0, 0), ...sys(94, 300)]);
    expect(p.run(io)).toEqual({ kind: 'exit', code: 44 });
    expect(machine.reg(0, s1) | 0).toBe(-38);
    expect(machine.reg(0, s2)).toBe(1);
  });

  it('brk grows the heap with zeroed, demand-paged memory and refuses more than the RAM can back', async () => {
    const { p, machine, io } = await start([
      ...sys(214, 0), A.addi(s1, a0, 0), // s1 = initial break
      ...A.li(a1, 0x10_0000), A.add(a0, s1, a1), ...A.li(a7, 214), A.ecall(), A.addi(s2, a0, 0), // grow 1 MiB
      A.add(a2, s1, a1), A.lw(s3, a2, -4), A.addi(a1, 0, 55), A.sw(a1, a2, -4), A.lw(s4, a2, -4),
      ...sys(214, 0x0100_0000), A.addi(a1, a0, 0), // 16 MiB of heap on an 8 MiB node: refused, returns the current break
      ...sys(93, 0),
    ]);
    expect(p.run(io)).toEqual({ kind: 'exit', code: 0 });
    const start_brk = machine.reg(0, s1);
    expect(start_brk).toBe(DATA + 0x2000);
    expect(machine.reg(0, s2)).toBe(start_brk + 0x10_0000);
    expect(machine.reg(0, s3)).toBe(0);
    expect(machine.reg(0, s4)).toBe(55);
    expect(machine.reg(0, a1)).toBe(start_brk + 0x10_0000);
    expect(machine.stats(0).page_faults).toBeGreaterThan(0n);
  });

  it('touching memory beyond the break is a SIGSEGV', async () => {
    const { p, io } = await start([...sys(214, 0), A.lw(a1, a0, 0), ...exit(0)]);
    const r = p.run(io);
    expect(r.kind).toBe('fault');
    if (r.kind === 'fault') {
      expect(r.signal).toBe('SIGSEGV');
      expect(r.address).toBe(DATA + 0x2000);
    }
  });

  it('clock_gettime64 follows virtual time and clock_nanosleep_time64 advances it', async () => {
    const ts = DATA, req = DATA + 16;
    const data = new Uint8Array(32);
    new DataView(data.buffer).setUint32(24, 2_000_000, true); // req = { 0 s, 2 ms }
    const { p, machine, io } = await start([
      ...sys(403, 1, ts), ...A.li(5, ts), A.lw(s1, 5, 8), // monotonic nsec
      ...sys(407, 1, 0, req, 0), A.addi(s4, a0, 0),
      ...sys(403, 1, ts), ...A.li(5, ts), A.lw(s2, 5, 8),
      ...sys(403, 9, ts), A.addi(s3, a0, 0), // unknown clock
      ...exit(0),
    ], data);
    expect(p.run(io)).toEqual({ kind: 'exit', code: 0 });
    expect(machine.reg(0, s4)).toBe(0);
    expect(machine.reg(0, s2) - machine.reg(0, s1)).toBeGreaterThanOrEqual(2_000_000);
    expect(machine.reg(0, s2) - machine.reg(0, s1)).toBeLessThan(2_100_000);
    expect(machine.reg(0, s3) | 0).toBe(-22);
  });

  it('maps segments with their permissions: code is not writable, data is not executable, bss reads zero', async () => {
    const data = new Uint8Array([1, 2, 3, 4]);
    const store = await start([...A.li(5, CODE), A.sw(0, 5, 0), ...exit(0)], data);
    expect(store.p.run(store.io)).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', fault: 'store page fault', address: CODE });
    const jump = await start([...A.li(5, DATA), A.jalr(0, 5, 0)], data);
    expect(jump.p.run(jump.io)).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', fault: 'instruction page fault', address: DATA, pc: DATA });
    const bss = await start([...A.li(5, DATA), A.lw(s1, 5, 0), A.lw(s2, 5, 4), ...A.li(6, DATA + 0x1ffc), A.lw(s3, 6, 0), ...exit(0)], data);
    expect(bss.p.run(bss.io)).toEqual({ kind: 'exit', code: 0 });
    expect([s1, s2, s3].map((r) => bss.machine.reg(0, r))).toEqual([0x0403_0201, 0, 0]);
  });

  it('lays out argc, argv, envp and auxv (AT_PAGESZ, AT_RANDOM) on a 16-byte aligned stack', async () => {
    const { p, machine } = await start(exit(0), undefined, ['prog', 'arg one']);
    const sp = machine.reg(0, 2);
    expect(sp % 16).toBe(0);
    const words = new DataView(copyFromUser(machine, p.satp, sp, 160)!.buffer);
    const w = (i: number): number => words.getUint32(i * 4, true);
    expect(w(0)).toBe(2);
    const str = (va: number): string => {
      let text = '';
      for (let a = va; ; a++) {
        const c = copyFromUser(machine, p.satp, a, 1)![0]!;
        if (c === 0) return text;
        text += String.fromCharCode(c);
      }
    };
    expect([str(w(1)), str(w(2)), w(3)]).toEqual(['prog', 'arg one', 0]);
    expect([str(w(4)), w(5)]).toEqual(['HOME=/', 0]);
    const aux = new Map<number, number>();
    for (let i = 6; w(i) !== 0; i += 2) aux.set(w(i), w(i + 1));
    expect(aux.get(6)).toBe(4096);
    // The entries qemu-user and Linux give every program: root ids, not setuid, USER_HZ, the rv32ima
    // hwcap bits and the file name.
    expect([11, 12, 13, 14, 23].map((k) => aux.get(k))).toEqual([0, 0, 0, 0, 0]);
    expect(aux.get(17)).toBe(100);
    expect(aux.get(16)).toBe((1 << 0) | (1 << 8) | (1 << 12));
    expect(str(aux.get(31)!)).toBe('prog');
    const random = copyFromUser(machine, p.satp, aux.get(25)!, 16)!;
    const again = await start(exit(0), undefined, ['prog', 'arg one']);
    expect(copyFromUser(again.machine, again.p.satp, aux.get(25)!, 16)).toEqual(random);
  });
});
