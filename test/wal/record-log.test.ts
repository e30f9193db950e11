import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordLog, StorageCorruptError, readRecordFile, writeRecordFile } from '../../src/wal/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-wal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('record log', () => {
  it('reads back what was appended, across reopening and a rewrite', () => {
    const file = path.join(tempDir(), 'log');
    const a = new RecordLog(file, 'test');
    a.append(['one', 'two']);
    a.append(['three']);
    a.close();
    const b = new RecordLog(file, 'test');
    expect(b.recovered.map((r) => r.payload)).toEqual(['one', 'two', 'three']);
    b.rewrite(['only']);
    b.append(['more']);
    b.close();
    expect(new RecordLog(file, 'test').recovered.map((r) => r.payload)).toEqual(['only', 'more']);
  });

  it('drops a tail whose header claims more bytes than the file holds, and truncates it', () => {
    const file = path.join(tempDir(), 'log');
    const a = new RecordLog(file, 'test');
    a.append(['kept']);
    a.close();
    const good = fs.statSync(file).size;
    fs.appendFileSync(file, '["torn","wr');
    const b = new RecordLog(file, 'test');
    expect(b.recovered.map((r) => r.payload)).toEqual(['kept']);
    expect(b.recovery.tornBytesDropped).toBe(11);
    expect(fs.statSync(file).size).toBe(good);
    b.close();
  });

  it('refuses a log corrupted before its last record', () => {
    const file = path.join(tempDir(), 'log');
    const a = new RecordLog(file, 'test');
    a.append(['first record', 'second record']);
    a.close();
    const buf = fs.readFileSync(file);
    buf[10] ^= 0x01;
    fs.writeFileSync(file, buf);
    expect(() => new RecordLog(file, 'test')).toThrow(StorageCorruptError);
  });

  it('a record file is written atomically and any damage to it is corruption', () => {
    const file = path.join(tempDir(), 'snap');
    expect(readRecordFile(file, 'test', 'snapshot')).toBeNull();
    writeRecordFile(file, '{"k":1}');
    expect(readRecordFile(file, 'test', 'snapshot')).toBe('{"k":1}');
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    fs.appendFileSync(file, 'x');
    expect(() => readRecordFile(file, 'test', 'snapshot')).toThrow(/snapshot file .* is corrupt/);
  });
});
