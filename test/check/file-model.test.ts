// The file-system model for the linearizability checker: a legal history of names, inodes and contents passes; a
// read that misses a completed write, a lookup that sees a name unlinked before it began, and a create that gives a
// second inode for one name are violations; a create whose outcome is unknown is named by a later lookup.
import { describe, expect, it } from 'vitest';
import { checkOperations, fileModel, type FileInput, type FileOutput, type Operation } from '../../src/check/index.js';

type Op = Operation<FileInput, FileOutput>;
const op = (client: number, input: FileInput, output: FileOutput | undefined, call: number, ret: number | null): Op => ({ client, input, output, call, ret });

describe('the file-system model', () => {
  const base: Op[] = [
    op(1, { op: 'create', path: '/a', exclusive: true }, 5, 0, 1),
    op(1, { op: 'write', ino: 5, pos: 2, data: 'xy' }, 'ok', 2, 3),
    op(2, { op: 'read', ino: 5 }, '\0\0xy', 4, 5),
    op(2, { op: 'append', ino: 5, data: '!' }, 'ok', 6, 7),
    op(1, { op: 'cas', ino: 5, expect: '\0\0xy!', value: 'new' }, true, 8, 9),
    op(2, { op: 'rename', from: '/a', to: '/b' }, 'ok', 10, 11),
    op(1, { op: 'lookup', path: '/b' }, 5, 12, 13),
    op(1, { op: 'unlink', path: '/b' }, 'ok', 14, 15),
    op(2, { op: 'read', ino: 5 }, 'new', 16, 17), // still readable: the inode outlives its name
  ];

  it('accepts a legal history', () => {
    expect(checkOperations(fileModel, base).verdict).toBe('ok');
  });

  it('refuses stale reads, ghosts and a second inode for one name', () => {
    expect(checkOperations(fileModel, [...base, op(3, { op: 'read', ino: 5 }, '\0\0xy', 18, 19)]).verdict).toBe('illegal');
    expect(checkOperations(fileModel, [...base, op(3, { op: 'lookup', path: '/b' }, 5, 18, 19)]).verdict).toBe('illegal');
    expect(checkOperations(fileModel, [
      op(1, { op: 'create', path: '/a', exclusive: false }, 5, 0, 1), op(2, { op: 'create', path: '/a', exclusive: false }, 6, 2, 3),
    ]).verdict).toBe('illegal');
  });

  it('lets a lookup name the file of a create whose outcome is unknown, or see none', () => {
    const unknown = op(1, { op: 'create', path: '/a', exclusive: false }, undefined, 0, null);
    expect(checkOperations(fileModel, [unknown, op(2, { op: 'lookup', path: '/a' }, 9, 5, 6)]).verdict).toBe('ok');
    expect(checkOperations(fileModel, [unknown, op(2, { op: 'lookup', path: '/a' }, 'ENOENT', 5, 6)]).verdict).toBe('ok');
    expect(checkOperations(fileModel, [unknown, op(2, { op: 'lookup', path: '/a' }, 9, 5, 6), op(2, { op: 'lookup', path: '/a' }, 'ENOENT', 7, 8)]).verdict).toBe('illegal');
  });
});
