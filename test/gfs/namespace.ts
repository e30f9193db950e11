// A namespace image holding the given files (executable), for runs that start programs from the namespace.
import { treeWithFiles, type TreeImage } from '../../src/gfs/index.js';

export function namespaceWith(files: Readonly<Record<string, Uint8Array>>): TreeImage {
  return treeWithFiles(files).image();
}
