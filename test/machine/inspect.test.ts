// The kernel binary as wabt sees it: valid with threads, importing a shared memory, and its AMO and LR/SC
// paths compiled to Wasm atomic instructions (so they stay atomic when harts run on different threads).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inspectKernel } from '../../src/machine/inspect.js';

describe('kernel.wasm', () => {
  it('validates with threads and imports a shared memory', async () => {
    const r = await inspectKernel();
    const mem = r.imports.find((i) => i.declaration.startsWith('(memory'));
    expect(mem?.module).toBe('env');
    expect(mem?.declaration).toMatch(/ shared\)$/);
    expect(r.exports.map((e) => e.name)).toEqual(expect.arrayContaining(['run', 'hartInit', 'vmMap', 'tlbFlush', 'timerArm']));
  });

  it('compiles every AMO, LR/SC and the A/D update to Wasm atomics', async () => {
    const r = await inspectKernel();
    const run = r.functionText('run')!;
    // run and the functions it calls (the slow path, the walk) hold the atomic paths.
    const called = [...run.matchAll(/call (\$[\w.]+)/g)].map((m) => r.functionText(m[1]!) ?? '');
    const walkText = called.flatMap((t) => [t, ...[...t.matchAll(/call (\$[\w.]+)/g)].map((m) => r.functionText(m[1]!) ?? '')]).join('\n');
    for (const op of ['i32.atomic.rmw.add', 'i32.atomic.rmw.xchg', 'i32.atomic.rmw.and', 'i32.atomic.rmw.or', 'i32.atomic.rmw.xor', 'i32.atomic.rmw.cmpxchg', 'i32.atomic.load']) {
      expect(run, op).toContain(op);
    }
    expect(walkText).toContain('i32.atomic.rmw.cmpxchg');
  });

  it('never uses memory.atomic.wait (V8 Liftoff corrupts locals in functions that do, on Node 20)', async () => {
    const r = await inspectKernel();
    expect(r.text).not.toMatch(/memory\.atomic\.wait/);
  });

  it('atoll inspect --wat prints a function and refuses an unknown one', () => {
    const bin = join(import.meta.dirname, '../../bin/atoll.js');
    const ok = spawnSync(process.execPath, [bin, 'inspect', '--wat', 'run'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ {2}\(func \$run/);
    const bad = spawnSync(process.execPath, [bin, 'inspect', '--wat', 'nosuch'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no function 'nosuch'/);
  });
});
