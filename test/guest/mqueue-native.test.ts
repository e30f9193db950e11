// mq_notify has no reference under qemu-riscv32 (7.2 answers ENOSYS), so guest/tests/mq_notify.c is also built
// for the host (-DMQ_NATIVE, over guest/tests/mq_native.h) and run under the host's Linux kernel: it must print
// exactly guest/tests/expected/mq_notify.stdout, the file atoll's runs are compared with in every hart mode
// (threads-differential.test.ts). Skipped, with the reason, without a host C compiler or off Linux.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runProcess } from './runners.js';

const SOURCE = join(ROOT, 'guest', 'tests', 'mq_notify.c');
const EXPECTED = join(ROOT, 'guest', 'tests', 'expected', 'mq_notify');

function whyNotRunnable(): string | undefined {
  if (process.platform !== 'linux') return 'POSIX message queues with Linux semantics need a Linux host';
  const cc = spawnSync('cc', ['--version']);
  return cc.error || cc.status !== 0 ? 'no host C compiler (cc)' : undefined;
}

const SKIP_REASON = whyNotRunnable();
const WORK = mkdtempSync(join(tmpdir(), 'atoll-mq-native-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('guest/tests/mq_notify.c under the host\'s Linux kernel', () => {
  it('prints the expected output that atoll is held to', async (ctx) => {
    ctx.skip(SKIP_REASON !== undefined, SKIP_REASON);
    const exe = join(WORK, 'mq_notify');
    const cc = spawnSync('cc', ['-O1', '-Wall', '-Wextra', '-Werror', '-DMQ_NATIVE', '-I', join(ROOT, 'guest', 'tests'), SOURCE, '-o', exe], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const run = await runProcess(exe, [], { cwd: WORK });
    expect(run.signal).toBeNull();
    expect(run.stdout).toBe(readFileSync(`${EXPECTED}.stdout`, 'latin1'));
    expect(run.status).toBe(Number(readFileSync(`${EXPECTED}.status`, 'utf8').trim()));
  }, 60_000);
});
