// Data centres of replicas and the links between them: replicas of one centre talk over short links
// (about a millisecond), replicas of different centres over the WAN (log-normal, 80 ms median). Node ids
// are `<centre>-r<i>` (dc1-r1, dc1-r2, ...). The links are set per directed pair on the simulated network
// (SimNetwork.setLink), so each pair keeps its own FIFO order and its own faults.
// Limits: 1..GEO_CENTRES_MAX centres, 1..GEO_REPLICAS_MAX replicas each.
import { DEFAULT_LINK, checkLink, type LinkParams } from '../net/index.js';

export const GEO_CENTRES_MAX = 16;
export const GEO_REPLICAS_MAX = 16;
const MS = 1_000_000;

/** Intra-centre links: log-normal around 1 ms (0.5 ms floor, 5 ms cap). */
export const LOCAL_LINK: LinkParams = {
  ...DEFAULT_LINK,
  latency: { kind: 'lognormal', median_ns: 1 * MS, sigma: 0.3, min_ns: MS / 2, max_ns: 5 * MS },
};

/** WAN links: log-normal with an 80 ms median (40 ms floor, 400 ms cap). */
export const WAN_LINK: LinkParams = {
  ...DEFAULT_LINK,
  latency: { kind: 'lognormal', median_ns: 80 * MS, sigma: 0.3, min_ns: 40 * MS, max_ns: 400 * MS },
};

export class GeoConfigError extends Error {
  override name = 'GeoConfigError';
}

export interface GeoTopologyOptions {
  /** Names of the centres (default dc1..dcN for `centres` = N, default 3). */
  readonly centre_names?: readonly string[];
  readonly centres?: number;
  readonly replicas_per_centre?: number;
}

export interface GeoTopology {
  readonly centres: readonly string[];
  /** Replicas of each centre, in order. */
  readonly replicas: ReadonlyMap<string, readonly string[]>;
  /** Every replica, centre by centre. */
  readonly nodes: readonly string[];
  centreOf(node: string): string;
}

export function geoTopology(opts: GeoTopologyOptions = {}): GeoTopology {
  const names = opts.centre_names ?? Array.from({ length: opts.centres ?? 3 }, (_, i) => `dc${i + 1}`);
  const per = opts.replicas_per_centre ?? 3;
  if (!Number.isSafeInteger(per) || per < 1 || per > GEO_REPLICAS_MAX) throw new GeoConfigError(`replicas_per_centre must be 1..${GEO_REPLICAS_MAX}, got ${per}`);
  return geoTopologyOf(Object.fromEntries(names.map((c) => [c, Array.from({ length: per }, (_, i) => `${c}-r${i + 1}`)])), names);
}

/** A topology from a map of centre names to their replicas' node ids (a real cluster's config). */
export function geoTopologyOf(centres: Readonly<Record<string, readonly string[]>>, order: readonly string[] = Object.keys(centres)): GeoTopology {
  const names = [...order];
  if (names.length < 1 || names.length > GEO_CENTRES_MAX) throw new GeoConfigError(`centres must be 1..${GEO_CENTRES_MAX}, got ${names.length}`);
  if (new Set(names).size !== names.length) throw new GeoConfigError(`centre names must be unique: ${names.join(', ')}`);
  const replicas = new Map<string, string[]>();
  const centreOf = new Map<string, string>();
  for (const c of names) {
    if (!/^[a-z][a-z0-9]{0,15}$/.test(c)) throw new GeoConfigError(`centre name '${c}' must be a lowercase letter then up to 15 letters or digits`);
    const list = centres[c];
    if (!Array.isArray(list) || list.length < 1 || list.length > GEO_REPLICAS_MAX || !list.every((n) => typeof n === 'string' && n.length > 0)) {
      throw new GeoConfigError(`centre ${c} needs 1..${GEO_REPLICAS_MAX} replica ids`);
    }
    for (const n of list) {
      if (centreOf.has(n)) throw new GeoConfigError(`replica '${n}' is in two centres (${centreOf.get(n)} and ${c})`);
      centreOf.set(n, c);
    }
    replicas.set(c, [...list]);
  }
  return {
    centres: names,
    replicas,
    nodes: names.flatMap((c) => replicas.get(c)!),
    centreOf(node: string): string {
      const c = centreOf.get(node);
      if (c === undefined) throw new GeoConfigError(`no replica '${node}' (replicas: ${[...centreOf.keys()].join(', ')})`);
      return c;
    },
  };
}

export interface GeoLinks {
  readonly local?: Partial<LinkParams>;
  readonly wan?: Partial<LinkParams>;
}

/** Set every directed link between the topology's replicas: local within a centre, WAN across. */
export function applyGeoLinks(net: { setLink(from: string, to: string, params: Partial<LinkParams>): void }, topo: GeoTopology, links: GeoLinks = {}): void {
  const local: LinkParams = { ...LOCAL_LINK, ...links.local };
  const wan: LinkParams = { ...WAN_LINK, ...links.wan };
  checkLink(local);
  checkLink(wan);
  for (const a of topo.nodes) {
    for (const b of topo.nodes) {
      if (a !== b) net.setLink(a, b, topo.centreOf(a) === topo.centreOf(b) ? local : wan);
    }
  }
}

/** The WAN cut: every link between different centres (links inside a centre stay up). */
export function wanCutGroups(topo: GeoTopology): string[][] {
  return topo.centres.map((c) => [...topo.replicas.get(c)!]);
}
