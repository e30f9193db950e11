// The cluster guests in a browser: fetched from the page's server (`atoll serve` serves guest/cluster/<name>.elf
// as /guests/cluster/<name>.elf), named guest/cluster/<name>.elf as in Node, so a scenario's trace digest is the
// CLI's. The browser bundle takes this file in place of cluster-guest.ts.
import { InputError } from '../base/index.js';
import { clusterGuestPath, type ClusterGuest } from './cluster-guest-name.js';

export { CLUSTER_GUEST_DIR, clusterGuestPath, type ClusterGuest } from './cluster-guest-name.js';

/** The guest's address on the page's server. */
export function clusterGuestUrl(name: string): string {
  return `/guests/cluster/${name}.elf`;
}

/** The guest's bytes from the server, or null when it has no such file (404: not built). */
export async function loadClusterGuest(name: string): Promise<ClusterGuest | null> {
  const path = clusterGuestPath(name);
  const r = await fetch(clusterGuestUrl(name));
  if (r.status === 404) return null;
  if (!r.ok) throw new InputError(`cannot load ${clusterGuestUrl(name)}: HTTP ${r.status} (is the page served by \`atoll serve\`?)`);
  return { path, bytes: new Uint8Array(await r.arrayBuffer()) };
}
