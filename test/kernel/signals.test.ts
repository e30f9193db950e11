// Signals in the kernel: the calls' error paths (bad signal numbers, sigsetsize, pointers, SIGKILL and
// SIGSTOP actions) without qemu, and host calls with signals: a signal the host raises with its answer
// runs a handler (the call then returns the host's result) or, by default, ends the process; a call the
// host holds is cancelled (R_CANCEL) when a handled signal arrives, and its -ERESTARTSYS answer becomes
// -EINTR, or, under SA_RESTART, the same call again.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../../src/elf/index.js';
import { System } from '../../src/machine/system.js';
import { LATER, type HostCall, type HostService } from '../../src/machine/hostcall.js';
import { ERESTARTSYS, SIGUSR1 } from '../../src/machine/layout.js';
import type { RunResult } from '../../src/machine/process.js';
import { fixture } from './helpers.js';

const NR_TEST = 500;

async function run(path: string, argv: string[], setup: (sys: System) => void = () => undefined): Promise<{ out: string; result: RunResult; sys: System }> {
  const sys = await System.create({ ram_bytes: 16 << 20 });
  sys.spawn(parseElf(new Uint8Array(readFileSync(path))), { argv, name: argv[0]! });
  setup(sys);
  let out = '';
  const dec = new TextDecoder();
  const r = sys.run({ write: (fd, b) => { if (fd === 1) out += dec.decode(b); } }, () => undefined, 100_000_000);
  expect(r.limited).toBe(false);
  return { out, result: r.results[0]!, sys };
}

describe('signal calls refuse bad arguments as Linux does', () => {
  it('EINVAL for a bad sigsetsize, signal number, SIGKILL/SIGSTOP action or how; EFAULT for bad pointers; ESRCH for no target', async () => {
    const { out, result } = await run(join(import.meta.dirname, '../../guest/tests/sig_errno.elf'), ['sig_errno']);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    const got = new Map(out.trim().split('\n').filter((l) => /\s-?\d+$/.test(l)).map((l) => {
      const m = /^(.*\S)\s+(-?\d+)$/.exec(l)!;
      return [m[1]!, Number(m[2])] as const;
    }));
    const want: Record<string, number> = {
      'atoll_syscall4(SYS_rt_sigaction, SIGUSR1, &act, 0, 4)': -22, 'sys_sigaction(0, &act, 0)': -22,
      'sys_sigaction(65, &act, 0)': -22, 'sys_sigaction(-1, &act, 0)': -22, 'sys_sigaction(SIGKILL, &act, 0)': -22,
      'sys_sigaction(SIGSTOP, &act, 0)': -22, 'sys_sigaction(SIGKILL, 0, &old)': 0, 'sys_sigaction(SIGUSR1, BAD, 0)': -14,
      'sys_sigaction(0, BAD, 0)': -14, 'sys_sigaction(SIGUSR1, 0, BAD)': -14, 'sys_sigprocmask(3, &set, 0)': -22,
      'sys_sigprocmask(3, 0, 0)': 0, 'sys_sigprocmask(SIG_BLOCK, BAD, 0)': -14, 'sys_sigprocmask(SIG_BLOCK, 0, BAD)': -14,
      'atoll_syscall2(SYS_rt_sigpending, &set, 9)': -22, 'atoll_syscall2(SYS_rt_sigpending, &set, 4)': 0,
      'sys_sigpending(BAD)': -14, 'atoll_syscall2(SYS_rt_sigsuspend, &set, 4)': -22, 'sys_sigsuspend(BAD)': -14,
      'sys_kill(pid, 0)': 0, 'sys_kill(pid, 65)': -22, 'sys_kill(pid, -1)': -22, 'sys_kill(0x7ffffff0, 0)': -3,
      'sys_kill(0x7ffffff0, 65)': -3, 'sys_kill(-0x7ffffff0, SIGUSR1)': -3, 'sys_tkill(0, SIGUSR1)': -22,
      'sys_tkill(tid, 65)': -22, 'sys_tkill(0x7ffffff0, 0)': -3, 'sys_tgkill(0, tid, SIGUSR1)': -22,
      'sys_tgkill(pid + 1, tid, 0)': -3, 'sys_tgkill(pid, tid, 0)': 0,
    };
    for (const [call, v] of Object.entries(want)) expect(got.get(call), call).toBe(v);
    expect(out).toContain('blocked fffbfeff 3fffffff'); // SIGKILL and SIGSTOP never blocked
  });
});

describe('host calls and signals', () => {
  const raiseUsr1: HostService = () => ({ signal: SIGUSR1, result: -32 });

  it('a signal raised with the answer runs the handler, then the call returns the host\'s result', async () => {
    const { out, result, sys } = await run(fixture('sighost'), ['sighost', 'raise'], (s) => s.serve(NR_TEST, raiseUsr1));
    expect(out).toBe('raise: result -32, handled 1\n');
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(sys.stats().frames_used).toBe(0);
  });

  it('without a handler the raised signal\'s default action ends the process', async () => {
    const { out, result } = await run(fixture('sighost'), ['sighost', 'default'], (s) => s.serve(NR_TEST, raiseUsr1));
    expect(out).toBe('');
    expect(result).toMatchObject({ kind: 'killed', signal: 'SIGUSR1' });
  });

  const holdUntilCancelled = (sys: System, calls: HostCall[], later: number | null): void => {
    const held: HostCall[] = [];
    sys.serve(NR_TEST, (call) => {
      calls.push(call);
      if (calls.length > 1 && later !== null) return later;
      held.push(call);
      return LATER;
    });
    sys.hostcalls.onSlice(() => {
      for (let i = held.length - 1; i >= 0; i--) {
        if (!sys.hostcalls.ring.cancelled(held[i]!)) continue;
        sys.hostcalls.ring.complete(held.splice(i, 1)[0]!.id, -ERESTARTSYS);
      }
    });
  };

  it('a held call is cancelled by a handled signal: -ERESTARTSYS becomes -EINTR without SA_RESTART', async () => {
    const calls: HostCall[] = [];
    const { out, result } = await run(fixture('sighost'), ['sighost', 'cancel'], (s) => holdUntilCancelled(s, calls, null));
    expect(out).toBe('cancel: result -4, handled 1\n');
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(calls).toHaveLength(1);
  });

  it('under SA_RESTART the cancelled call is made again, with its arguments', async () => {
    const calls: HostCall[] = [];
    const { out, result } = await run(fixture('sighost'), ['sighost', 'restart'], (s) => holdUntilCancelled(s, calls, 77));
    expect(out).toBe('restart: result 77, handled 1\n');
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(calls.map((c) => c.args[0])).toEqual([7, 7]);
  });
});
