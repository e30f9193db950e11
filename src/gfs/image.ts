// A namespace as a file of its own: the tree a simulated run starts from (`atoll cluster run --fs`) or ended with
// (`--fs-out`), and what `atoll fs ... --image` reads and edits. The file is JSON: { format: "atoll-fs",
// version: 1, tree } with the tree as a snapshot carries it. A file from outside is checked whole before it is
// used (kinds, inode references, link counts, chunk sizes, the bounds of limits.ts): a bad one is refused with
// one message and nothing is built from it. An image written out holds no open descriptions: holds are dropped,
// and so are inodes that only a hold kept.
import { base64Bytes } from '../base/index.js';
import { CAPACITY_BYTES, CHUNK_BYTES, FILE_BYTES_MAX, INODES_MAX, NAME_BYTES_MAX, ROOT_INO, SYMLINK_BYTES_MAX } from './limits.js';
import { GfsTree, type InodeImage, type TreeImage } from './tree.js';
import { FsOps } from './fs-ops.js';
import { LocalTreeMount } from './mount.js';
import { Vfs } from '../vfs/index.js';

export const FS_IMAGE_FORMAT = 'atoll-fs';
export const FS_IMAGE_VERSION = 1;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const utf8 = new TextEncoder();

/** A tree holding files (absolute paths, their parents made with mode 0755), each with mode. */
export function treeWithFiles(files: Readonly<Record<string, Uint8Array>>, mode = 0o755): GfsTree {
  const tree = new GfsTree();
  const ops = new FsOps(new Vfs(new LocalTreeMount(() => 0n, 'a namespace being made', tree)));
  for (const [path, bytes] of Object.entries(files)) ops.write(path, 0, bytes, true, mode);
  return tree;
}

/** The image file's text for tree (no holds, no unlinked inodes). */
export function encodeFsImage(tree: GfsTree): string {
  const img = tree.image();
  const inodes = img.inodes.filter((i) => i.nlink > 0).map((i) => ({ ...i, holds: 0 }));
  return JSON.stringify({ format: FS_IMAGE_FORMAT, version: FS_IMAGE_VERSION, tree: { next_ino: img.next_ino, inodes } });
}

/** The tree in an image file's text; throws an Error saying what is wrong with it. */
export function decodeFsImage(text: string): GfsTree {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  if (!isObj(v) || v['format'] !== FS_IMAGE_FORMAT) throw new Error(`not a namespace image (format "${FS_IMAGE_FORMAT}")`);
  if (v['version'] !== FS_IMAGE_VERSION) throw new Error(`version ${String(v['version'])}: this Atoll reads version ${FS_IMAGE_VERSION}`);
  const tree = validateTreeImage(v['tree']);
  if (typeof tree === 'string') throw new Error(tree);
  return GfsTree.fromImage(tree);
}

/** A tree image from outside, checked: the image, or what is wrong with it. */
export function validateTreeImage(v: unknown): TreeImage | string {
  if (!isObj(v) || !isNat(v['next_ino'], 0xffff_ffff) || !Array.isArray(v['inodes'])) return 'the tree needs next_ino and inodes';
  const list = v['inodes'];
  if (list.length > INODES_MAX) return `more than ${INODES_MAX} inodes`;
  const byIno = new Map<number, InodeImage>();
  let bytes = 0;
  for (const raw of list) {
    const i = checkInode(raw, v['next_ino']);
    if (typeof i === 'string') return i;
    if (byIno.has(i.ino)) return `inode ${i.ino} appears twice`;
    byIno.set(i.ino, i);
    for (const [, c] of i.chunks) bytes += base64Bytes(c)!.length; // checkInode read each chunk's base64
  }
  if (bytes > CAPACITY_BYTES) return `more than ${CAPACITY_BYTES} bytes of contents`;
  const root = byIno.get(ROOT_INO);
  if (root === undefined || root.kind !== 'dir') return 'the tree has no root directory';
  // Every link names an inode; link counts agree with the links (a directory: 2 plus its subdirectories).
  const links = new Map<number, number>();
  const subdirs = new Map<number, number>();
  for (const i of byIno.values()) {
    for (const [name, child] of i.entries) {
      if (!byIno.has(child)) return `inode ${i.ino}: entry ${JSON.stringify(name)} names no inode`;
      if (child === ROOT_INO) return `inode ${i.ino}: entry ${JSON.stringify(name)} links the root`;
      links.set(child, (links.get(child) ?? 0) + 1);
      if (byIno.get(child)!.kind === 'dir') subdirs.set(i.ino, (subdirs.get(i.ino) ?? 0) + 1);
    }
  }
  for (const i of byIno.values()) {
    const want = i.kind === 'dir' ? 2 + (subdirs.get(i.ino) ?? 0) : links.get(i.ino) ?? 0;
    if (i.kind === 'dir' && i.ino !== ROOT_INO && links.get(i.ino) !== 1) return `directory ${i.ino} is linked ${links.get(i.ino) ?? 0} times`;
    if (i.nlink !== want) return `inode ${i.ino}: nlink ${i.nlink}, its links say ${want}`;
  }
  return { next_ino: v['next_ino'], inodes: [...byIno.values()] };
}

function checkInode(v: unknown, nextIno: number): InodeImage | string {
  if (!isObj(v) || !isNat(v['ino'], 0xffff_ffff) || v['ino'] === 0 || v['ino'] >= nextIno) return 'an inode needs an ino below next_ino';
  const ino = v['ino'];
  const kind = v['kind'];
  if (kind !== 'file' && kind !== 'dir' && kind !== 'symlink') return `inode ${ino}: kind must be file, dir or symlink`;
  if (!isNat(v['perm'], 0o7777) || !isNat(v['nlink'], 0xffff) || !isNat(v['size'], FILE_BYTES_MAX)) return `inode ${ino}: perm, nlink and size`;
  const times = v['times'];
  if (!Array.isArray(times) || times.length !== 4 || !times.every((t) => typeof t === 'string' && /^\d{1,20}$/.test(t))) return `inode ${ino}: four times (decimal ns)`;
  const entries = v['entries'], chunks = v['chunks'], target = v['target'];
  if (!Array.isArray(entries) || !Array.isArray(chunks) || typeof target !== 'string') return `inode ${ino}: entries, chunks and target`;
  if (kind !== 'dir' && entries.length > 0) return `inode ${ino}: only a directory has entries`;
  const names = new Set<string>();
  for (const e of entries) {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || !isNat(e[1], 0xffff_ffff)) return `inode ${ino}: an entry is [name, ino]`;
    const name = e[0];
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || utf8.encode(name).length > NAME_BYTES_MAX) return `inode ${ino}: bad name ${JSON.stringify(name)}`;
    if (names.has(name)) return `inode ${ino}: name ${JSON.stringify(name)} twice`;
    names.add(name);
  }
  if (kind !== 'file' && chunks.length > 0) return `inode ${ino}: only a file has contents`;
  for (const c of chunks) {
    if (!Array.isArray(c) || c.length !== 2 || !isNat(c[0], FILE_BYTES_MAX / CHUNK_BYTES - 1) || typeof c[1] !== 'string') return `inode ${ino}: a chunk is [index, base64]`;
    const len = base64Bytes(c[1])?.length;
    if (len === undefined) return `inode ${ino}: chunk ${c[0]} is not base64`;
    if (len > CHUNK_BYTES || c[0] * CHUNK_BYTES + len > (v['size'] as number)) return `inode ${ino}: chunk ${c[0]} runs past the file's size`;
  }
  if (kind === 'symlink' ? target === '' || utf8.encode(target).length > SYMLINK_BYTES_MAX : target !== '') return `inode ${ino}: a symbolic link (only) has a target`;
  return {
    ino, kind, perm: v['perm'], nlink: v['nlink'], size: v['size'], times: times as [string, string, string, string],
    entries: entries as [string, number][], chunks: chunks as [number, string][], target, holds: 0,
  };
}
