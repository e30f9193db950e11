// A browser has no host directory: this stand-in for hostdir.ts, which the browser bundle takes in its place,
// refuses to be made, and there is no current directory to default to (a page gives its machine a Vfs over a mount
// of its own).
import { FsError } from './errors.js';
import type { FileHandle, FileStat, Mount, OpenMode } from './mount.js';

/** A page has no current directory: a machine in a page is given a Vfs of its own. */
export function defaultHostRoot(): string {
  throw new FsError('ENOENT', 'a browser has no current directory to be the guests\' root (give the machine a Vfs of its own)');
}

export class HostDirMount implements Mount {
  readonly describe: string;

  constructor(dir: string) {
    this.describe = `host directory ${dir}`;
    throw new FsError('ENOENT', `a browser has no host directory '${dir}' (give the machine a Vfs of its own)`);
  }

  lstat(_path: readonly string[]): FileStat { throw new FsError('ENOENT'); }
  readlink(_path: readonly string[]): string { throw new FsError('ENOENT'); }
  open(_path: readonly string[], _how: OpenMode): FileHandle { throw new FsError('ENOENT'); }
  mkdir(): void { throw new FsError('EROFS'); }
  unlink(): void { throw new FsError('EROFS'); }
  rmdir(): void { throw new FsError('EROFS'); }
  rename(): void { throw new FsError('EROFS'); }
  symlink(): void { throw new FsError('EROFS'); }
  link(): void { throw new FsError('EROFS'); }
  access(): void { throw new FsError('ENOENT'); }
}
