import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryStorage, StorageCorruptError } from '../../src/raft/index.js';
import { RaftFileStorage as FileStorage, crc32 } from '../../src/wal/index.js';
import type { Entry, Snapshot } from '../../src/raft/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-raft-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function ents(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ term, index: i, type: 'normal', data: `v${i}` });
  return out;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('memory storage', () => {
  it('loses what was written but not synced when it crashes', () => {
    const s = new MemoryStorage();
    s.persist({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: ents(1, 3), snapshot: null });
    s.write({ hardState: { term: 2, vote: 'b', commit: 0 }, entries: ents(4, 5, 2), snapshot: null });
    expect(s.load().entries).toHaveLength(5);
    s.crash();
    expect(s.load().entries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(s.load().hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
  });

  it('entries that overwrite a suffix replace it', () => {
    const s = new MemoryStorage();
    s.persist({ hardState: null, entries: ents(1, 5), snapshot: null });
    s.persist({ hardState: null, entries: ents(3, 3, 2), snapshot: null });
    expect(s.load().entries.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 1], [3, 2]]);
  });
});

describe('file storage', () => {
  it('reads back hard state, entries and a snapshot after reopening', () => {
    const dir = tempDir();
    const s = new FileStorage(dir);
    s.persist({ hardState: { term: 2, vote: 'a', commit: 3 }, entries: ents(1, 5), snapshot: null });
    s.persist({ hardState: null, entries: ents(4, 6, 2), snapshot: null });
    const snap: Snapshot = { meta: { index: 2, term: 1, conf: { voters: ['a'], learners: [] } }, data: '{"k":1}' };
    s.compact(snap);
    s.close();
    const r = new FileStorage(dir);
    const st = r.load();
    expect(st.hardState).toEqual({ term: 2, vote: 'a', commit: 3 });
    expect(st.snapshot).toEqual(snap);
    expect(st.entries.map((e) => [e.index, e.term])).toEqual([[3, 1], [4, 2], [5, 2], [6, 2]]);
    r.close();
  });

  it('drops a torn tail (a record cut short by a crash) and keeps everything before it', () => {
    const dir = tempDir();
    const s = new FileStorage(dir);
    s.persist({ hardState: { term: 1, vote: null, commit: 0 }, entries: ents(1, 4), snapshot: null });
    s.close();
    const file = path.join(dir, 'raft.log');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 5); // the hard-state record loses its last bytes
    const r = new FileStorage(dir);
    expect(r.load().entries).toHaveLength(4);
    expect(r.load().hardState).toBeNull();
    expect(r.recovery.tornBytesDropped).toBeGreaterThan(0);
    // The file was truncated to the last good record, so appending continues cleanly.
    r.persist({ hardState: { term: 3, vote: 'b', commit: 2 }, entries: ents(5, 5, 3), snapshot: null });
    r.close();
    const again = new FileStorage(dir);
    expect(again.load().entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
    expect(again.load().hardState).toEqual({ term: 3, vote: 'b', commit: 2 });
    expect(again.recovery.tornBytesDropped).toBe(0);
    again.close();
  });

  it('drops a last record whose bytes are all there but garbled', () => {
    const dir = tempDir();
    const s = new FileStorage(dir);
    s.persist({ hardState: null, entries: ents(1, 3), snapshot: null });
    s.close();
    const file = path.join(dir, 'raft.log');
    const buf = fs.readFileSync(file);
    buf[buf.length - 3] ^= 0xff;
    fs.writeFileSync(file, buf);
    const r = new FileStorage(dir);
    expect(r.load().entries.map((e) => e.index)).toEqual([1, 2]);
    r.close();
  });

  it('refuses to start from a log corrupted in the middle, naming the offset', () => {
    const dir = tempDir();
    const s = new FileStorage(dir);
    s.persist({ hardState: null, entries: ents(1, 10), snapshot: null });
    s.close();
    const file = path.join(dir, 'raft.log');
    const buf = fs.readFileSync(file);
    buf[20] ^= 0x01; // inside the first record's payload
    fs.writeFileSync(file, buf);
    expect(() => new FileStorage(dir)).toThrow(StorageCorruptError);
    expect(() => new FileStorage(dir)).toThrow(/corrupt at byte 0 of/);
  });

  it('refuses a corrupt snapshot file', () => {
    const dir = tempDir();
    const s = new FileStorage(dir);
    s.persist({ hardState: null, entries: ents(1, 3), snapshot: null });
    s.compact({ meta: { index: 2, term: 1, conf: { voters: ['a'], learners: [] } }, data: 'state' });
    s.close();
    const file = path.join(dir, 'snapshot');
    const buf = fs.readFileSync(file);
    buf[buf.length - 2] ^= 0x10;
    fs.writeFileSync(file, buf);
    expect(() => new FileStorage(dir)).toThrow(/snapshot file .* is corrupt/);
  });

  it('a snapshot from the leader replaces a log that disagrees with it', () => {
    const dir = tempDir();
    const s = new FileStorage(dir);
    s.persist({ hardState: null, entries: ents(1, 8), snapshot: null });
    const snap: Snapshot = { meta: { index: 5, term: 3, conf: { voters: ['a', 'b'], learners: [] } }, data: 'x' };
    s.persist({ hardState: { term: 3, vote: null, commit: 5 }, entries: [], snapshot: snap });
    s.close();
    const r = new FileStorage(dir);
    expect(r.load().snapshot?.meta.index).toBe(5);
    expect(r.load().entries).toEqual([]);
    r.close();
  });
});

describe('raft storage over a node DurableStorage', () => {
  it('keeps what persist() synced across a crash and restores the log after a snapshot', async () => {
    const { SimStorage } = await import('../../src/sim/index.js');
    const { DurableRaftStorage } = await import('../../src/raft/storage/index.js');
    const disk = new SimStorage();
    const s = new DurableRaftStorage(disk);
    s.load();
    s.persist({ hardState: { term: 1, vote: 'a', commit: 2 }, entries: ents(1, 5), snapshot: null });
    s.persist({ hardState: null, entries: ents(4, 6, 2), snapshot: null });
    disk.put('e/999999999999', 'unsynced garbage');
    disk.crash();
    const r = new DurableRaftStorage(disk);
    const st = r.load();
    expect(st.hardState).toEqual({ term: 1, vote: 'a', commit: 2 });
    expect(st.entries.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 1], [3, 1], [4, 2], [5, 2], [6, 2]]);
    r.compact({ meta: { index: 3, term: 1, conf: { voters: ['a'], learners: [] } }, data: 'kv' });
    const again = new DurableRaftStorage(disk).load();
    expect(again.snapshot?.meta.index).toBe(3);
    expect(again.entries.map((e) => e.index)).toEqual([4, 5, 6]);
  });
});
