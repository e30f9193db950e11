// The prebuilt guests of guest/cluster that scenarios run (migrate_worker, lock_ring), read in Node from the
// package beside the sources (vitest) or the build (dist/). A guest is named by its path inside the package,
// guest/cluster/<name>.elf, never by where the package is installed: that path is the program's argv[0] and its
// name in the trace, so a seed's digest is the same from every checkout. The browser bundle takes
// cluster-guest.browser.ts instead, which fetches the same file from the page's server.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../base/index.js';
import { clusterGuestPath, type ClusterGuest } from './cluster-guest-name.js';

export { CLUSTER_GUEST_DIR, clusterGuestPath, type ClusterGuest } from './cluster-guest-name.js';

/** The guest's bytes, or null when the package has no such file (it is not built). */
export async function loadClusterGuest(name: string): Promise<ClusterGuest | null> {
  const path = clusterGuestPath(name);
  for (const up of ['../../', '../../../']) {
    const file = fileURLToPath(new URL(up + path, import.meta.url));
    if (existsSync(file)) return { path, bytes: new Uint8Array(await readFile(file)) };
  }
  return null;
}
