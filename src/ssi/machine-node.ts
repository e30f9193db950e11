// The `machine` service of a real node (`atoll node`, `atoll cluster run --real`): options from the cluster
// config, the boot programs read from the node's file system, and every guest event (output, a process's start
// and end, the machine going idle) written as one line `@atoll <json>` for whoever started the node, which
// rebuilds the cluster's console from them (cluster-console.ts). Bytes travel base64, so no UTF-8 is split.
import { base64Text, InputError } from '../base/index.js';
import { compileKernelSync, readProgram, layout, type SystemOptions } from '../machine/index.js';
import { parseElf } from '../elf/index.js';
import type { NodeService } from '../node/index.js';
import { MachineService, type BootProgram, type MachineObserver } from './machine-service.js';
import { isPlacementPolicy, type PlacementPolicy } from './placement.js';
import { endFields, type ProcessEndFields } from './cluster-console.js';

/** A real machine's slice: about 5 ms of guest work between looks at the network. */
export const REAL_SLICE_INSTRUCTIONS = 1_000_000;
export const MACHINE_LINE_PREFIX = '@atoll ';

/** One guest event as a node reports it. */
export type MachineLine =
  | { readonly t: 'out'; readonly node: string; readonly pid: number; readonly fd: 1 | 2; readonly b64: string }
  | { readonly t: 'start'; readonly node: string; readonly pid: number; readonly ppid: number; readonly program: string }
  | { readonly t: 'end'; readonly node: string; readonly pid: number; readonly result: ProcessEndFields }
  | { readonly t: 'idle'; readonly node: string }
  /** Process pid of node moved to node `to` (a migration's commit point), or was lost as it moved there. */
  | { readonly t: 'moved'; readonly node: string; readonly pid: number; readonly to: string }
  | { readonly t: 'lost'; readonly node: string; readonly pid: number; readonly why: string }
  | { readonly t: 'log'; readonly node: string; readonly line: string };

function list(v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new InputError(`machine option ${what} must be a list`);
  return v;
}

function strings(v: unknown, what: string): string[] {
  const l = list(v, what);
  if (!l.every((x) => typeof x === 'string')) throw new InputError(`machine option ${what} must be a list of strings`);
  return l as string[];
}

/** The machine service of a real node from its config options; each event goes to write as one line. */
export function realMachineService(options: Readonly<Record<string, unknown>>, write: (line: string) => void): NodeService {
  const boot: BootProgram[] = list(options['programs'], 'programs').map((p, i) => {
    const o = (p ?? {}) as Record<string, unknown>;
    if (typeof o['path'] !== 'string') throw new InputError(`machine option programs[${i}].path must be a path`);
    const path = o['path'];
    const name = typeof o['name'] === 'string' ? o['name'] : path;
    return { image: parseElf(readProgram(path), { userEnd: layout.LOAD_END }), argv: [name, ...strings(o['args'], `programs[${i}].args`)], envp: strings(o['envp'], `programs[${i}].envp`), name };
  });
  const system: { -readonly [K in keyof SystemOptions]?: SystemOptions[K] } = {};
  if (typeof options['ram_bytes'] === 'number') system.ram_bytes = options['ram_bytes'];
  if (typeof options['harts'] === 'number') system.harts = options['harts'];
  const threaded = options['threaded'] ?? true;
  if (typeof threaded !== 'boolean') throw new InputError('machine option threaded must be true or false');
  const balance = options['balance'] ?? false;
  if (typeof balance !== 'boolean') throw new InputError('machine option balance must be true or false');
  const placement = options['placement'] ?? 'local';
  if (typeof placement !== 'string' || !isPlacementPolicy(placement)) throw new InputError(`machine option placement must be local, spread or least-loaded`);
  const emit = (m: MachineLine): void => write(MACHINE_LINE_PREFIX + JSON.stringify(m));
  const observer: MachineObserver = {
    write: (node, pid, fd, bytes) => emit({ t: 'out', node, pid, fd, b64: base64Text(bytes) }),
    started: (node, pid, ppid, program) => emit({ t: 'start', node, pid, ppid, program }),
    ended: (node, end) => emit({ t: 'end', node, pid: end.pid, result: endFields(end.result) }),
    idle: (node) => emit({ t: 'idle', node }),
    moved: (from, to, pid) => emit({ t: 'moved', node: from, pid, to }),
    lost: (node, pid, why) => emit({ t: 'lost', node, pid, why }),
    log: (node, line) => emit({ t: 'log', node, line }),
  };
  // A real node boots once per process: a restarted node (a new process) loads its programs again.
  return new MachineService({
    kernel: compileKernelSync(), system, observer, boot, placement: placement as PlacementPolicy, realtime: true, threaded, balance,
    slice_instructions: typeof options['slice_instructions'] === 'number' ? options['slice_instructions'] : REAL_SLICE_INSTRUCTIONS,
  }, true);
}

/** A line of a node's output that carries a machine event, or null. */
export function parseMachineLine(line: string): MachineLine | null {
  if (!line.startsWith(MACHINE_LINE_PREFIX)) return null;
  try {
    const m = JSON.parse(line.slice(MACHINE_LINE_PREFIX.length)) as MachineLine;
    return m !== null && typeof m === 'object' && typeof m.t === 'string' && typeof m.node === 'string' ? m : null;
  } catch {
    return null;
  }
}
