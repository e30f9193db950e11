// A namespace image holding the given files (executable), for runs that start programs from the namespace.
import { FsOps, GfsTree, LocalTreeMount, type TreeImage } from '../../src/gfs/index.js';
import { Vfs } from '../../src/vfs/index.js';

export function namespaceWith(files: Readonly<Record<string, Uint8Array>>): TreeImage {
  const tree = new GfsTree();
  const ops = new FsOps(new Vfs(new LocalTreeMount(() => 0n, 'a test namespace', tree)));
  for (const [path, bytes] of Object.entries(files)) ops.write(path, 0, bytes, true, 0o755);
  return tree.image();
}
