// `atoll run --jit on|off`: the flag's values, and the translator's counters in --stats and --stats-json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atollNotBuilt, underAtoll } from '../guest/runners.js';

const SKIP = atollNotBuilt();

describe.skipIf(SKIP !== undefined)('atoll run --jit', () => {
  it('on: the same stdout and status as off, with the translator\'s counters in --stats and --stats-json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atoll-jit-cli-'));
    try {
      const json = join(dir, 'stats.json');
      const on = await underAtoll(['--jit', 'on', '--stats', '--stats-json', json, 'guest/examples/compute.elf', '2']);
      const off = await underAtoll(['--jit', 'off', '--stats', 'guest/examples/compute.elf', '2']);
      expect(on.status).toBe(0);
      expect(on.stdout).toBe(off.stdout);
      expect(on.stderr).toMatch(/translator: \d+ regions, \d+ bytes compiled in [\d.]+ ms, 0 invalidations, \d+ entries retired \d+ instructions; exits: budget \d+/);
      expect(off.stderr).not.toMatch(/translator:/);
      const stats = JSON.parse(readFileSync(json, 'utf8')) as { instructions: number; jit: { regions: number; instructions: number; exits: Record<string, number> } };
      expect(stats.jit.regions).toBeGreaterThan(0);
      expect(stats.jit.instructions / stats.instructions).toBeGreaterThan(0.9);
      expect(Object.keys(stats.jit.exits)).toEqual(['budget', 'tlb_miss', 'untranslated', 'leave', 'code_store', 'trap']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('--threaded: each worker translates for its own hart and its counters are added up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atoll-jit-cli-'));
    try {
      const json = join(dir, 'stats.json');
      const r = await underAtoll(['--jit', 'on', '--threaded', '--harts', '2', '--stats-json', json, 'guest/examples/compute.elf', '2']);
      expect(r.status).toBe(0);
      const stats = JSON.parse(readFileSync(json, 'utf8')) as { instructions: number; jit: { regions: number; instructions: number } };
      expect(stats.jit.regions).toBeGreaterThan(0);
      expect(stats.jit.instructions / stats.instructions).toBeGreaterThan(0.9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a value other than on or off with one line and status 2', async () => {
    const r = await underAtoll(['--jit', 'fast', 'guest/examples/hello.elf']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("atoll run: --jit: 'fast' is not on or off");
  });
});
