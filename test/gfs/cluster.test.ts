// The global namespace under `atoll cluster run`: '/' is one file system on every node. A program written for one
// machine (guest/cluster/gfs_share: a writer child, a reader child that keeps an unlinked file open, three
// appending children) runs with its children spread over three nodes and prints what it prints under
// qemu-riscv32 in an empty directory; the same seed gives the same run.
import { describe, expect, it } from 'vitest';
import { runCluster } from '../../src/ssi/index.js';
import { qemuMissing, scratch, underQemu } from '../guest/runners.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const sorted = (s: string): string[] => s.split('\n').filter(Boolean).sort();

const EXPECTED = [
  'writer ended: 0', 'parent reads 22 bytes: speed=3', 'heading=north', 'stat: size 22, regular yes, mode 644',
  'mkdir of an existing directory: EEXIST', 'reader opened it: y', 'unlink: ok', 'open after the unlink: ENOENT',
  'reader, after the unlink: 7 bytes: speed=3', 'reader ended: 0', 'appenders ended well: yes; the log has 12 lines of 180 bytes',
  'rename: ok', 'rmdir of a non-empty directory: ENOTEMPTY', 'rmdir at the end: ok',
];

describe('the global namespace in a cluster', () => {
  it('shares files between a parent and children on other nodes, as one machine does', async () => {
    const r = await runCluster({ seed: 3, nodes: 3, placement: 'spread', programs: [{ node: 'n1', path: guest('cluster/gfs_share.elf'), args: [] }] });
    expect(r.end).toBe('ended');
    const root = r.processes.find((p) => p.ppid === 0)!;
    expect(root).toMatchObject({ state: 'exited', exit_code: 0 });
    const kids = r.processes.filter((p) => p.ppid === root.pid);
    expect(kids).toHaveLength(5);
    expect(new Set(kids.map((k) => k.node))).toEqual(new Set(['n2', 'n3']));
    expect(kids.every((k) => k.exit_code === 0)).toBe(true);
    expect(sorted(r.processes.map((p) => p.stdout).join(''))).toEqual([...EXPECTED].sort());
  });

  it.skipIf(qemuMissing() !== undefined)('prints under qemu-riscv32 what the cluster prints', async () => {
    const place = scratch();
    try {
      const q = await underQemu(guest('cluster/gfs_share.elf'), [], { cwd: place.cwd });
      expect(q.status).toBe(0);
      expect(sorted(q.stdout)).toEqual([...EXPECTED].sort());
    } finally {
      place.remove();
    }
  });

  // Programs written for one machine's file system, run at the namespace's root of a cluster node: the same lines
  // and status as under qemu-riscv32 in an empty directory (fs_files: links, symbolic links, renames, statx, the
  // errors of each, a removed directory still open).
  for (const name of ['tests/fs_files.elf', 'tests/fs_exec_fail.elf', 'tests/libc_stdio.elf', 'tests/libc_posix.elf']) {
    it.skipIf(qemuMissing() !== undefined)(`runs ${name} on the namespace as qemu-riscv32 does in an empty directory`, async () => {
      const place = scratch();
      let q;
      try {
        q = await underQemu(guest(name), [], { cwd: place.cwd });
      } finally {
        place.remove();
      }
      const r = await runCluster({ seed: 5, nodes: 3, placement: 'spread', programs: [{ node: 'n2', path: guest(name), args: [] }] });
      expect(r.end).toBe('ended');
      const root = r.processes.find((p) => p.ppid === 0)!;
      expect(root.exit_code).toBe(q.status);
      expect(sorted(r.processes.map((p) => p.stdout).join(''))).toEqual(sorted(q.stdout));
    });
  }

    it('runs the same way twice with one seed, and differently with another', async () => {
    const once = (seed: number) => runCluster({ seed, nodes: 3, placement: 'spread', programs: [{ node: 'n2', path: guest('cluster/gfs_share.elf'), args: [] }] });
    const [a, b, c] = [await once(8), await once(8), await once(9)];
    expect(b.trace_hash).toBe(a.trace_hash);
    expect(b.processes).toEqual(a.processes);
    expect(c.trace_hash).not.toBe(a.trace_hash);
  });
});
