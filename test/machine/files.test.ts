// The host's descriptor, pipe and file calls (file-syscalls.ts) served to calls made as a process would make
// them: the sandbox seen through openat, mkdirat, symlinkat and renameat2; descriptor limits; fork events
// sharing descriptions; descriptors closed when their process is gone; the full-event-ring clone answer;
// execve building an image (and freeing it on failure); and, through real runs, a pipe wait cancelled by
// R_CANCEL and standard input given to a guest.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A } from './helpers/asm.js';
import {
  Machine, Process, FileServer, System, execService, mmapFileService, bytesInput, PushInput, copyToUser, copyFromUser, freeRoot, layout,
  type ElfImage, type GuestIO, type HostAnswer,
} from '../../src/machine/index.js';
import { readProgram } from '../../src/machine/session.js';
import { parseElf } from '../../src/elf/index.js';
import { HostDirMount, Vfs } from '../../src/vfs/index.js';
import type { HostCall } from '../../src/machine/hostcall.js';

const { SYS, AT_FDCWD, O_CREAT, O_WRONLY, O_RDONLY, O_NONBLOCK, O_CLOEXEC, ENOENT, EMFILE, EAGAIN, EXDEV, FDS_MAX,
  PEV_FORK, RA_EXEC, ENOEXEC, EACCES, ERESTARTNOINTR, PROC_BASE, PROC_BYTES, P, PROC_STATE, RING_ENTRIES, ringRecord, R,
  RING_STATE } = layout;
const ROOT = join(import.meta.dirname, '..', '..');
const CODE = 0x1_0000, DATA = 0x2_0000;
const a0 = 10, a7 = 17;

function image(code: number[]): ElfImage {
  const bytes = new Uint8Array(code.length * 4);
  code.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w >>> 0, true));
  return {
    entry: CODE,
    segments: [
      { vaddr: CODE, memsz: bytes.length, filesz: bytes.length, data: bytes, readable: true, writable: false, executable: true },
      { vaddr: DATA, memsz: 0x4000, filesz: 0, data: new Uint8Array(0), readable: true, writable: true, executable: false },
    ],
  };
}

const quiet: GuestIO = { write: () => undefined };

let base: string;
let root: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'atoll-files-'));
  root = join(base, 'root');
  mkdirSync(root);
  writeFileSync(join(base, 'secret'), 'outside');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A machine with processes whose calls are made by hand. */
async function bench(procs = 1) {
  const machine = await Machine.create({ ram_bytes: 16 << 20 });
  const ps = Array.from({ length: procs }, () => new Process(machine, image([A.ecall()]), { argv: ['p'] }));
  const files = new FileServer(machine, { vfs: new Vfs(new HostDirMount(root)), io: quiet, input: bytesInput('') });
  for (const p of ps) files.addProcess(p.pid, p.index);
  files.execService = execService(machine, files);
  const services = new Map(files.services());
  let heap = DATA;
  const str = (p: Process, s: string): number => {
    const at = heap;
    copyToUser(machine, p.satp, at, new Uint8Array([...Buffer.from(s, 'latin1'), 0]));
    heap += s.length + 1;
    return at;
  };
  const call = (p: Process, nr: number, ...args: number[]): HostAnswer => {
    const c: HostCall = { id: 1, slot: 0, thread: 0, tid: p.pid, pid: p.pid, proc: p.index, nr, args: [...args, 0, 0, 0, 0, 0, 0].slice(0, 6).map((x) => x >>> 0), satp: p.satp, hart: 0, mtime: 0n };
    return services.get(nr)!(c);
  };
  const n = (a: HostAnswer): number => (typeof a === 'number' ? a : Number.NaN);
  return { machine, ps, files, str, call, n };
}

describe('the sandbox through the calls', () => {
  it('no path a guest names reaches outside its root: .., absolute host paths, links pointing out', async () => {
    const { ps: [p], str, call, n } = await bench();
    symlinkSync(join(base, 'secret'), join(root, 'abs'));
    symlinkSync('../secret', join(root, 'rel'));
    symlinkSync(base, join(root, 'up'));
    for (const path of ['../secret', '../../../secret', join(base, 'secret'), 'abs', 'rel', 'up/secret', '/../secret']) {
      expect(n(call(p!, SYS.openat, AT_FDCWD, str(p!, path), O_RDONLY, 0)), path).toBe(-ENOENT);
    }
    // creating through them lands inside the root (or fails), never outside
    expect(n(call(p!, SYS.openat, AT_FDCWD, str(p!, '../made'), O_CREAT | O_WRONLY, 0o644))).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(root, 'made'))).toBe(true);
    expect(existsSync(join(base, 'made'))).toBe(false);
    expect(n(call(p!, SYS.openat, AT_FDCWD, str(p!, 'rel'), O_CREAT | O_WRONLY, 0o644))).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(root, 'secret'))).toBe(true); // the link's target, inside
    expect(readFileSync(join(base, 'secret'), 'utf8')).toBe('outside');
    expect(n(call(p!, SYS.mkdirat, AT_FDCWD, str(p!, '../../newdir'), 0o755))).toBe(0);
    expect(existsSync(join(root, 'newdir'))).toBe(true);
    expect(n(call(p!, SYS.renameat2, AT_FDCWD, str(p!, 'made'), AT_FDCWD, str(p!, '../../moved'), 0))).toBe(0);
    expect(existsSync(join(root, 'moved'))).toBe(true);
    expect(existsSync(join(base, 'moved'))).toBe(false);
    expect(n(call(p!, SYS.chdir, str(p!, '../..')))).toBe(0);
    const buf = DATA + 0x3000;
    expect(n(call(p!, SYS.getcwd, buf, 100))).toBe(2);
  });

  it('a rename or link across mounts is EXDEV', async () => {
    const other = join(base, 'other');
    mkdirSync(other);
    mkdirSync(join(root, 'mnt'));
    writeFileSync(join(root, 'f'), 'x');
    const { ps: [p], files, str, call, n } = await bench();
    files.vfs.mount('/mnt', new HostDirMount(other));
    expect(n(call(p!, SYS.renameat2, AT_FDCWD, str(p!, 'f'), AT_FDCWD, str(p!, 'mnt/f'), 0))).toBe(-EXDEV);
    expect(n(call(p!, SYS.linkat, AT_FDCWD, str(p!, 'f'), AT_FDCWD, str(p!, 'mnt/g'), 0))).toBe(-EXDEV);
  });
});

describe('descriptor tables', () => {
  it(`hold at most ${FDS_MAX} descriptors: EMFILE beyond, and a closed one is reused lowest first`, async () => {
    const { ps: [p], call, n } = await bench();
    const got: number[] = [];
    for (;;) {
      const fd = n(call(p!, SYS.dup, 0));
      if (fd < 0) { expect(fd).toBe(-EMFILE); break; }
      got.push(fd);
    }
    expect(got.length).toBe(FDS_MAX - 3);
    expect(n(call(p!, SYS.close, 500))).toBe(0);
    expect(n(call(p!, SYS.close, 7))).toBe(0);
    expect(n(call(p!, SYS.dup, 1))).toBe(7);
    expect(n(call(p!, SYS.dup, 1))).toBe(500);
  });

  it('a fork event gives the child the parent\'s descriptions: one offset for both', async () => {
    writeFileSync(join(root, 'f'), 'abcdefgh');
    const { machine, ps: [parent, child], files, str, call, n } = await bench(2);
    const fd = n(call(parent!, SYS.openat, AT_FDCWD, str(parent!, 'f'), O_RDONLY, 0));
    expect(fd).toBe(3);
    files.events.post({ kind: PEV_FORK, pid: child!.pid, parent_pid: parent!.pid, flags: 17 });
    files.onDrain();
    const buf = DATA + 0x3000;
    expect(n(call(parent!, SYS.read, fd, buf, 3))).toBe(3);
    expect(n(call(child!, SYS.read, fd, buf, 3))).toBe(3);
    expect(Buffer.from(copyFromUser(machine, child!.satp, buf, 3)!).toString()).toBe('def');
    // closing in one leaves the other's descriptor open
    expect(n(call(child!, SYS.close, fd))).toBe(0);
    expect(n(call(parent!, SYS.read, fd, buf, 5))).toBe(2);
  });

  it('the descriptors of a process that is gone are closed: the pipe\'s reader sees EOF', async () => {
    const { machine, ps: [parent, child], files, call, n } = await bench(2);
    const pfds = DATA + 0x3000;
    expect(n(call(parent!, SYS.pipe2, pfds, O_NONBLOCK))).toBe(0);
    const r = 3, w = 4;
    files.events.post({ kind: PEV_FORK, pid: child!.pid, parent_pid: parent!.pid, flags: 17 });
    files.onDrain();
    expect(n(call(parent!, SYS.close, w))).toBe(0);
    const buf = DATA + 0x3100;
    expect(n(call(parent!, SYS.read, r, buf, 10))).toBe(-EAGAIN); // the child still holds a write end
    machine.view.setUint32(PROC_BASE + child!.index * PROC_BYTES + P.STATE, PROC_STATE.DEAD, true);
    files.onDrain();
    expect(files.files(child!.pid)).toBeUndefined();
    expect(n(call(parent!, SYS.read, r, buf, 10))).toBe(0);
  });

  it('a clone handed over when the event ring is full is answered -ERESTARTNOINTR, after the events', async () => {
    const { ps: [parent, child], files, call, n } = await bench(2);
    files.events.post({ kind: PEV_FORK, pid: child!.pid, parent_pid: parent!.pid, flags: 17 });
    files.onDrain();
    expect(n(call(parent!, SYS.clone, 17))).toBe(-ERESTARTNOINTR);
    expect(files.files(child!.pid)).toBeDefined();
  });
});

describe('execve (the host half)', () => {
  it('builds the image in a fresh root, writes P_EXEC_*, answers RA_EXEC and closes O_CLOEXEC descriptors', async () => {
    copyFileSync(join(ROOT, 'guest', 'examples', 'hello.elf'), join(root, 'hello'));
    const { chmodSync } = await import('node:fs');
    chmodSync(join(root, 'hello'), 0o755);
    const { machine, ps: [p], files, str, call, n } = await bench();
    expect(n(call(p!, SYS.dup3, 1, 9, O_CLOEXEC))).toBe(9);
    const argv = DATA + 0x3800;
    const a = str(p!, 'hello'), b = str(p!, 'x');
    copyToUser(machine, p!.satp, argv, new Uint8Array(new Uint32Array([a, b, 0]).buffer));
    const before = machine.kernel.framesUsed();
    const answer = call(p!, SYS.execve, str(p!, './hello'), argv, 0);
    expect(answer).toEqual({ result: 0, action: RA_EXEC });
    const pb = PROC_BASE + p!.index * PROC_BYTES;
    const entry = parseElf(readProgram(join(root, 'hello')), { userEnd: layout.LOAD_END }).entry;
    expect(machine.u32(pb + P.EXEC_PC)).toBe(entry);
    expect(machine.u32(pb + P.EXEC_ROOT)).not.toBe(0);
    expect(machine.u32(pb + P.EXEC_SP) % 16).toBe(0);
    expect(machine.kernel.framesUsed()).toBeGreaterThan(before);
    expect(files.files(p!.pid)!.fds.get(9)).toBeUndefined();
    expect(files.files(p!.pid)!.fds.get(1)).toBeDefined();
    freeRoot(machine, machine.u32(pb + P.EXEC_ROOT));
    expect(machine.kernel.framesUsed()).toBe(before);
  });

  it('a bad ELF is ENOEXEC and a file without an execute bit EACCES; no frame is kept', async () => {
    writeFileSync(join(root, 'junk'), '\x7fELF not really', { mode: 0o755 });
    writeFileSync(join(root, 'plain'), 'x', { mode: 0o644 });
    const { machine, ps: [p], str, call, n } = await bench();
    const before = machine.kernel.framesUsed();
    expect(n(call(p!, SYS.execve, str(p!, 'junk'), 0, 0))).toBe(-ENOEXEC);
    expect(n(call(p!, SYS.execve, str(p!, 'plain'), 0, 0))).toBe(-EACCES);
    expect(n(call(p!, SYS.execve, str(p!, '.'), 0, 0))).toBe(-EACCES);
    expect(machine.kernel.framesUsed()).toBe(before);
  });
});

describe('file-backed private mmap2 (the host half)', () => {
  it('copies the file into the range the kernel mapped, read-only pages too, zero past the end of the file', async () => {
    writeFileSync(join(root, 'data'), 'A'.repeat(5000) + 'tail');
    const { machine, ps: [p], files, str, call, n } = await bench();
    const fd = n(call(p!, SYS.openat, AT_FDCWD, str(p!, 'data'), O_RDONLY, 0));
    const at = 0x4000_0000;
    const mapped: number[] = [];
    const svc = mmapFileService(machine, files, {
      map(proc, _addr, length) {
        expect(proc).toBe(p!.index);
        for (let off = 0; off < length; off += 4096) {
          const pa = machine.kernel.frameAlloc() >>> 0;
          machine.kernel.vmMap(p!.root, at + off, pa, layout.PTE.U | layout.PTE.R);
          mapped.push(pa);
        }
        return at;
      },
    });
    const c = (args: number[]) => svc({ id: 1, slot: 0, thread: 0, tid: p!.pid, pid: p!.pid, proc: p!.index, nr: SYS.mmap2, args, satp: p!.satp, hart: 0, mtime: 0n });
    expect(c([0, 8192, 1, 2, fd, 1])).toBe(at); // MAP_PRIVATE, from page 1 of the file
    const page = (i: number) => Buffer.from(machine.bytes.subarray(machine.host(mapped[i]!), machine.host(mapped[i]!) + 4096));
    expect(page(0).subarray(0, 908).toString()).toBe('A'.repeat(904) + 'tail');
    expect(page(0)[908]).toBe(0);
    expect(c([0, 4096, 1, 1, fd, 0])).toBe(-layout.ENODEV); // MAP_SHARED
    expect(c([0, 4096, 1, 2, 99, 0])).toBe(-layout.EBADF);
    expect(c([0, 0, 1, 2, fd, 0])).toBe(-layout.EINVAL);
  });
});

/** read(fd 3) of an empty pipe whose writer is the caller itself: it waits until cancelled; exits 600 + a0. */
const pipeWait = (): number[] => [
  ...A.li(a0, DATA), ...A.li(11, 0), ...A.li(a7, SYS.pipe2), A.ecall(),
  ...A.li(a0, 3), ...A.li(11, DATA + 64), ...A.li(12, 16), ...A.li(a7, SYS.read), A.ecall(),
  A.addi(a0, a0, 600), ...A.li(a7, SYS.exit_group), A.ecall(),
];

describe('waiting calls', () => {
  it('a pipe read waits (answered later); R_CANCEL ends the wait with -ERESTARTSYS, and with no signal to handle the read runs again', async () => {
    const sys = await System.create({ ram_bytes: 16 << 20, root });
    sys.spawn(image(pipeWait()), { argv: ['p'] });
    let waited = 0;
    const reads = new Set<number>();
    let cancelled = false, killed = false;
    sys.hostcalls.onSlice(() => {
      if (sys.files === null || sys.files.waiting === 0) return;
      const held: number[] = [];
      for (let s = 0; s < RING_ENTRIES; s++) {
        const r = ringRecord(s);
        if (sys.machine.u32(r + R.STATE) === RING_STATE.TAKEN && sys.machine.u32(r + R.NR) === SYS.read) held.push(s);
      }
      for (const s of held) reads.add(sys.machine.u32(ringRecord(s) + R.ID));
      if (++waited < 5) return; // it keeps waiting across slices
      if (!cancelled) {
        for (const s of held) sys.machine.view.setUint32(ringRecord(s) + R.CANCEL, 1, true);
        cancelled = true;
      } else if (reads.size >= 2 && !killed) {
        sys.machine.kernel.kernelKillAll(); // the restarted read waits on: end the process
        killed = true;
      }
    });
    const out = sys.run(quiet, () => {}, 50_000_000);
    expect(waited).toBeGreaterThanOrEqual(5);
    expect(reads.size, 'the read was posted again after the cancel').toBe(2);
    expect(out.results[0]).toMatchObject({ kind: 'killed', signal: 'SIGKILL' });
  });

  it('standard input is what the system is given: bytes at once, or bytes that arrive while the reader waits', async () => {
    const elf = parseElf(readProgram(join(ROOT, 'guest', 'tests', 'fd_stdin.elf')), { userEnd: layout.LOAD_END });
    const text = 'first\nsecond\n' + 'y'.repeat(4000);
    const run = async (stdin: ReturnType<typeof bytesInput> | PushInput, feed?: () => void) => {
      const sys = await System.create({ ram_bytes: 16 << 20, root, stdin });
      sys.spawn(elf, { argv: ['fd_stdin'] });
      if (feed) sys.hostcalls.onSlice(feed);
      let out = '';
      const r = sys.run({ write: (_fd, b) => { out += Buffer.from(b).toString('latin1'); } }, () => {}, 500_000_000);
      return { out, r: r.results[0] };
    };
    const once = await run(bytesInput(text));
    expect(once.r).toEqual({ kind: 'exit', code: 0 });
    expect(once.out).toContain('bytes 4013 lines 2');
    expect(once.out).toContain('first line: first');
    const push = new PushInput();
    let slices = 0;
    const later = await run(push, () => {
      slices++;
      if (slices === 20) push.push(text.slice(0, 10));
      if (slices === 40) push.push(text.slice(10));
      if (slices === 60) push.end();
    });
    expect(slices).toBeGreaterThanOrEqual(60);
    expect(later.out).toBe(once.out);
  });
});
