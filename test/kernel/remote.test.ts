// Stand-ins for processes on other machines (assembly/remote.ts): a child running elsewhere is a
// PROC_REMOTE slot that waitid counts as a live child until the host says it ended, when it becomes a
// zombie (or is reaped at once) exactly as a local child would; its local parent's end reparents it and
// tells the host (PEV_REPARENT); a process whose parent is elsewhere reads that pid from getppid, and in
// cluster mode its end is a PEV_ENDED event for the parent's machine.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import type { Machine } from '../../src/machine/machine.js';
import type { RunResult } from '../../src/machine/process.js';
import type { ProcessEvent } from '../../src/machine/events.js';
import { SYS } from '../../src/machine/syscalls.js';
import {
  ESRCH, EEXIST, EINVAL, EAGAIN, SIGTERM, SIGSEGV, SIGKILL, CLD_EXITED, CLD_KILLED, CLD_DUMPED, PEV_ENDED, PEV_REPARENT,
  PEV_BASE, PEV_HEAD, PEV_ENTRIES, PE_KIND, PE_PID, PE_PARENT_PID, PE_FLAGS, pevRecord, PROC_BASE, PROC_BYTES, P,
  PROC_STATE, KS, KS_REMOTE, KS_ZOMBIES, PROCS_MAX,
} from '../../src/machine/layout.js';
import { fixture } from './helpers.js';

const TS_WAIT = 9; // assembly/thread.ts: blocked in waitid

const image = () => parseElf(new Uint8Array(readFileSync(fixture('cluster'))));

async function machine(...programs: string[][]): Promise<System> {
  const sys = await System.create({ ram_bytes: 16 << 20 });
  for (const argv of programs) sys.spawn(image(), { argv: ['cluster', ...argv] });
  return sys;
}

function run(sys: System): { out: string; results: (RunResult | null)[] } {
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 100_000_000);
  expect(r.limited).toBe(false);
  return { out, results: r.results };
}

/** The events posted since head `from`, read in place (the host's own consumer may have taken them). */
function eventsSince(m: Machine, from: number): ProcessEvent[] {
  const head = m.u32(PEV_BASE + PEV_HEAD);
  expect(head - from).toBeLessThanOrEqual(PEV_ENTRIES);
  const out: ProcessEvent[] = [];
  for (let i = from; i !== head; i = (i + 1) >>> 0) {
    const r = pevRecord(i % PEV_ENTRIES);
    out.push({ kind: m.u32(r + PE_KIND), pid: m.u32(r + PE_PID), parent_pid: m.u32(r + PE_PARENT_PID), flags: m.u32(r + PE_FLAGS) });
  }
  return out;
}

const slotState = (m: Machine, slot: number): number => m.u32(PROC_BASE + slot * PROC_BYTES + P.STATE);

/** When process 1's thread blocks in waitid, once: fn. */
function whenWaiting(sys: System, fn: () => void): void {
  let done = false;
  sys.hostcalls.onSlice(() => {
    if (done || sys.machine.kernel.threadState(0) !== TS_WAIT) return;
    done = true;
    fn();
  });
}

describe('a parent here, its child elsewhere', () => {
  it('waitid sees stand-ins live, a kill at one goes to the host, their ends are reaped with SIGCHLD each', async () => {
    const sys = await machine(['remote']);
    const k = sys.machine.kernel;
    k.kernelSetCluster(1);
    const a = k.procRemoteChild(1, 5000, 77, 0);
    expect(a).toBeGreaterThan(0);
    expect(slotState(sys.machine, a)).toBe(PROC_STATE.REMOTE);
    expect(k.procRemoteChild(1, 5001, 0, 0)).toBeGreaterThan(0);
    expect(k.procRemoteChild(99, 5002, 0, 0)).toBe(-ESRCH);
    expect(k.procRemoteChild(1, 5000, 0, 0)).toBe(-EEXIST);
    expect(k.procRemoteChild(1, 1, 0, 0)).toBe(-EEXIST);
    expect(k.procRemoteChild(1, 0, 0, 0)).toBe(-EINVAL);
    expect(k.procRemoteEnded(5000, 7, 0)).toBe(-EINVAL);
    expect(k.procRemoteEnded(5000, CLD_KILLED, 0)).toBe(-EINVAL);
    expect(k.procRemoteEnded(4999, CLD_EXITED, 0)).toBe(-ESRCH);
    const calls: number[][] = [];
    sys.serve(SYS.kill, (call) => {
      calls.push([call.args[0]!, call.args[1]!]);
      if (call.args[0] === 5000 && call.args[1] === SIGTERM) expect(k.procRemoteEnded(5000, CLD_KILLED, SIGTERM)).toBe(0);
      return 0;
    });
    sys.serve(SYS.tgkill, (call) => (calls.push([...call.args.slice(0, 3)]), 0));
    whenWaiting(sys, () => expect(k.procRemoteEnded(5001, CLD_DUMPED, SIGSEGV)).toBe(0));
    const { out, results } = run(sys);
    expect(results[0]).toEqual({ kind: 'exit', code: 0 });
    expect(out).toBe([
      'parent 1',
      'waitid(P_ALL, WNOHANG) = 0: signo 0 code 0 pid 0 status 0', // live children, none ended
      'waitid(P_PGID 77, WNOHANG) = 0: signo 0 code 0 pid 0 status 0',
      'waitid(P_PGID 78, WNOHANG) = -10',
      'sys_kill(5000, 0) = 0',
      'sys_tgkill(5001, 5001, 0) = 0',
      'sys_kill(5000, SIGTERM) = 0',
      'SIGCHLD: signal 17 from 5000 code 2',
      'SIGCHLD status 15',
      'waitid(5000, WNOWAIT) = 0: signo 17 code 2 pid 5000 status 15',
      'waitid(5000) = 0: signo 17 code 2 pid 5000 status 15',
      'waitid(P_ALL) = 0: signo 17 code 3 pid 5001 status 11', // blocked until the host ended it
      'SIGCHLD: signal 17 from 5001 code 3',
      'SIGCHLD status 11',
      'SIGCHLD handled 2 times',
      'waitid(P_ALL, WNOHANG) = -10',
      '',
    ].join('\n'));
    expect(calls).toEqual([[5000, 0], [5001, 5001, 0], [5000, SIGTERM]]);
    expect(sys.machine.u32(KS + KS_REMOTE)).toBe(0);
    expect(sys.machine.u32(KS + KS_ZOMBIES)).toBe(0);
    expect(slotState(sys.machine, a)).toBe(PROC_STATE.FREE);
    expect(sys.stats().frames_used).toBe(0);
  });

  for (const how of ['ign', 'nocldwait']) {
    for (const child of ['local', 'remote']) {
      it(`SIGCHLD ${how === 'ign' ? 'ignored' : 'with SA_NOCLDWAIT'}: a ${child} child is reaped as it ends and the waiting waitid says ECHILD`, async () => {
        const sys = await machine(['reap', how, child]);
        const k = sys.machine.kernel;
        if (child === 'remote') {
          expect(k.procRemoteChild(1, 5002, 0, 0)).toBeGreaterThan(0);
          whenWaiting(sys, () => expect(k.procRemoteEnded(5002, CLD_EXITED, 9)).toBe(0));
        }
        const { out, results } = run(sys);
        expect(results[0]).toEqual({ kind: 'exit', code: 0 }); // not a deadlock: the waiter woke
        // Linux sends SIGCHLD to a handler installed with SA_NOCLDWAIT (qemu-user keeps the zombie instead).
        expect(out).toBe(`waitid = -10\nSIGCHLD handled ${how === 'ign' ? 0 : 1} times\n`);
        expect(sys.machine.u32(KS + KS_ZOMBIES)).toBe(0);
        expect(sys.machine.u32(KS + KS_REMOTE)).toBe(0);
      });
    }
  }

  it('a stand-in whose parent ends goes to the first process, and the host hears of it (PEV_REPARENT)', async () => {
    const sys = await machine(['adopt'], ['ppid', '0']);
    const k = sys.machine.kernel;
    const s = k.procRemoteChild(2, 6000, 0, 0);
    expect(s).toBeGreaterThan(0);
    const from = sys.machine.u32(PEV_BASE + PEV_HEAD);
    let ended = false;
    sys.hostcalls.onSlice(() => {
      if (ended || !eventsSince(sys.machine, from).some((e) => e.kind === PEV_REPARENT)) return;
      ended = true;
      expect(sys.machine.u32(PROC_BASE + s * PROC_BYTES + P.PPID)).toBe(1);
      expect(k.procRemoteEnded(6000, CLD_EXITED, 3)).toBe(0);
    });
    const { out, results } = run(sys);
    expect(results).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 0 }]);
    expect(out).toContain('adopted = 0: signo 17 code 1 pid 6000 status 3\n');
    expect(eventsSince(sys.machine, from).filter((e) => e.kind === PEV_REPARENT)).toEqual([{ kind: PEV_REPARENT, pid: 6000, parent_pid: 1, flags: 0 }]);
  });

  it('with no first process left to take it, the stand-in goes, and PEV_REPARENT says parent 0', async () => {
    const sys = await machine(['ppid', '0']);
    const k = sys.machine.kernel;
    const s = k.procRemoteChild(1, 6001, 0, 0);
    const from = sys.machine.u32(PEV_BASE + PEV_HEAD);
    run(sys);
    expect(eventsSince(sys.machine, from).filter((e) => e.kind === PEV_REPARENT)).toEqual([{ kind: PEV_REPARENT, pid: 6001, parent_pid: 0, flags: 0 }]);
    expect(slotState(sys.machine, s)).toBe(PROC_STATE.FREE);
    expect(k.procRemoteEnded(6001, CLD_EXITED, 0)).toBe(-ESRCH);
    expect(sys.machine.u32(KS + KS_REMOTE)).toBe(0);
  });

  it('a full table refuses a stand-in with EAGAIN', async () => {
    const sys = await machine(['ppid', '0']);
    const k = sys.machine.kernel;
    for (let i = 1; i < PROCS_MAX; i++) expect(k.procRemoteChild(1, 7000 + i, 0, 0)).toBe(i);
    expect(k.procRemoteChild(1, 8000, 0, 0)).toBe(-EAGAIN);
  });
});

describe('a child here, its parent elsewhere', () => {
  it('getppid returns the parent the host set; in cluster mode its end is a PEV_ENDED event', async () => {
    const sys = await machine(['ppid', '3']);
    const k = sys.machine.kernel;
    k.kernelSetCluster(1);
    expect(k.procSetParentPid(0, 31337)).toBe(0);
    expect(k.procSetParentPid(5, 31337)).toBe(-ESRCH); // a free slot
    const from = sys.machine.u32(PEV_BASE + PEV_HEAD);
    const { out, results } = run(sys);
    expect(out).toBe('getppid 31337\nchild\'s getppid 1\n');
    expect(results[0]).toEqual({ kind: 'exit', code: 3 }); // the host still reads its slot (DEAD)
    // Only the process without a local parent: the child's end is its parent's business here.
    expect(eventsSince(sys.machine, from).filter((e) => e.kind === PEV_ENDED)).toEqual([{ kind: PEV_ENDED, pid: 1, parent_pid: CLD_EXITED, flags: 3 }]);
    expect(sys.machine.u32(PROC_BASE + P.STATE)).toBe(PROC_STATE.DEAD);
  });

  it('a process killed by a signal ends with CLD_KILLED and the signal', async () => {
    const sys = await machine(['sigwait']);
    const k = sys.machine.kernel;
    k.kernelSetCluster(1);
    let slices = 0;
    sys.hostcalls.onSlice(() => { if (++slices === 5) k.kernelSignal(1, SIGKILL, 4242); });
    const from = sys.machine.u32(PEV_BASE + PEV_HEAD);
    const { results } = run(sys);
    expect(results[0]).toMatchObject({ kind: 'killed', signal: 'SIGKILL' });
    expect(eventsSince(sys.machine, from)).toEqual([{ kind: PEV_ENDED, pid: 1, parent_pid: CLD_KILLED, flags: SIGKILL }]);
  });

  it('with cluster mode off no PEV_ENDED is posted', async () => {
    const sys = await machine(['ppid', '3']);
    sys.machine.kernel.procSetParentPid(0, 31337);
    const from = sys.machine.u32(PEV_BASE + PEV_HEAD);
    const { out } = run(sys);
    expect(out).toBe('getppid 31337\nchild\'s getppid 1\n');
    expect(eventsSince(sys.machine, from).filter((e) => e.kind === PEV_ENDED)).toEqual([]);
  });
});
