// Creating directories for data and configuration on the host. Node's `mkdirSync(dir, { recursive: true })`
// loops forever on some file systems that answer ENOENT for a missing parent that cannot be created (procfs:
// `/proc/1/x`), so directories are made one component at a time, each failure reported once.
import { mkdirSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { InputError } from '../base/index.js';

/** Path components at most: deeper paths are refused rather than walked. */
export const DIRECTORY_DEPTH_MAX = 64;

/** Make `dir` and its missing parents (like mkdir -p); one InputError naming the component that failed. */
export function makeDirectories(dir: string, what = 'directory'): void {
  const full = resolve(dir);
  const parts = full.split(sep).filter((p) => p.length > 0);
  if (parts.length > DIRECTORY_DEPTH_MAX) throw new InputError(`cannot create ${what} '${dir}': deeper than ${DIRECTORY_DEPTH_MAX} components`);
  let path = '';
  for (const part of parts) {
    path += sep + part;
    try {
      mkdirSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && isDirectory(path)) continue;
      const why = code === 'EEXIST' ? 'exists and is not a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
        : code === 'ENOENT' ? 'the parent cannot hold directories' : code === 'EROFS' ? 'read-only file system' : code ?? String(err);
      throw new InputError(`cannot create ${what} '${dir}': ${path}: ${why}`);
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
