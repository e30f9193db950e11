// Which node manages a file's locks: a stable hash of the file's key (its inode number) over the cluster's
// nodes in name order, the same on every node. An inode number is its own hash: consecutive files land on
// consecutive nodes. Bound: the membership is the cluster's, fixed for its life.
import { fnv1a32 } from '../sim/index.js';

export function managerOf(file: string, nodes: readonly string[]): string {
  if (nodes.length === 0) throw new Error('a lock manager needs at least one node');
  const n = /^[0-9]+$/.test(file) ? Number(file) : fnv1a32(file);
  return nodes[n % nodes.length]!;
}

/** Node names in the cluster's order: n2 before n10. */
export function sortNodes(ids: readonly string[]): string[] {
  const key = (s: string): [string, number] => {
    const m = /^(.*?)([0-9]+)$/.exec(s);
    return m ? [m[1]!, Number(m[2])] : [s, -1];
  };
  return [...ids].sort((a, b) => {
    const [pa, na] = key(a), [pb, nb] = key(b);
    return pa < pb ? -1 : pa > pb ? 1 : na - nb;
  });
}
