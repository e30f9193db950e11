// How a cluster guest is named, the same in Node and in the page (cluster-guest.ts and its browser twin): by its
// path inside the package, guest/cluster/<name>.elf, which is its argv[0] and its name in the trace.
import { InputError } from '../base/index.js';

/** The folder of the cluster guests, inside the package. */
export const CLUSTER_GUEST_DIR = 'guest/cluster';
/** A guest's name: a plain file name without its .elf. */
const GUEST_NAME = /^[a-z0-9_]+$/;

export interface ClusterGuest {
  /** guest/cluster/<name>.elf: the program's path for argv[0] and the trace. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** The guest's path inside the package (checked: a plain name). */
export function clusterGuestPath(name: string): string {
  if (!GUEST_NAME.test(name)) throw new InputError(`'${name}' is not the name of a cluster guest (letters, digits, _)`);
  return `${CLUSTER_GUEST_DIR}/${name}.elf`;
}
