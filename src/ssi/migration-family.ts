// A migrating process's family: its children as the kernel's table on the source holds them (running there or
// elsewhere, or ended and not yet waited for), read just before procMigrateOut lets them go from that machine,
// sent with the image and attached to the process where it arrives (procFamilyAttach): a child running on the
// target is its local child again, any other is a stand-in there, and a zombie stays a zombie. Children keep
// running where they are; their parent link now crosses machines (remote-fork.ts keeps the books).
import { layout, type Machine } from '../machine/index.js';

const { PROC_BASE, PROC_BYTES, PROCS_MAX, P, PROC_STATE, CLD_EXITED, CLD_KILLED, CLD_DUMPED, NSIG } = layout;

/** One child of a moving process. */
export interface FamilyMember {
  readonly pid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly exit_signal: number;
  /** Where it runs (the source itself for a child there); for an ended one, where it ended. */
  readonly node: string;
  /** 0: running; CLD_EXITED, CLD_KILLED or CLD_DUMPED: ended (a zombie), with status (exit status or signal). */
  readonly code: number;
  readonly status: number;
}

/**
 * The children of process slot proc in the table of machine m (as the kernel's waitid sees them): here is this
 * node, nodeOf the node a stand-in's child runs on. A child in any other state than live, dying, zombie or
 * stand-in is left out (procMigrateOut refuses such a family).
 */
export function familyOf(m: Machine, proc: number, here: string, nodeOf: (pid: number) => string | undefined): FamilyMember[] {
  const out: FamilyMember[] = [];
  for (let q = 0; q < PROCS_MAX; q++) {
    const b = PROC_BASE + q * PROC_BYTES;
    const state = m.u32(b + P.STATE);
    if (q === proc || m.u32(b + P.PARENT) !== proc + 1 || state === PROC_STATE.FREE) continue;
    const pid = m.u32(b + P.PID);
    const base = { pid, pgid: m.u32(b + P.PGID), sid: m.u32(b + P.SID), exit_signal: m.u32(b + P.EXIT_SIGNAL) };
    if (state === PROC_STATE.LIVE || state === PROC_STATE.DYING) out.push({ ...base, node: here, code: 0, status: 0 });
    else if (state === PROC_STATE.REMOTE) out.push({ ...base, node: nodeOf(pid) ?? here, code: 0, status: 0 });
    else if (state === PROC_STATE.ZOMBIE) {
      // As the kernel's childWaitCode and childWaitStatus.
      const given = m.u32(b + P.CLD_CODE), signal = m.u32(b + P.SIGNAL);
      const code = given !== 0 ? given : signal === 0 ? CLD_EXITED : CLD_KILLED;
      out.push({ ...base, node: here, code, status: signal === 0 ? m.u32(b + P.EXIT) & 0xff : signal });
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

const u32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;

/** A family as a prepare carries it, checked; throws an Error naming what is wrong. */
export function decodeFamily(raw: unknown): FamilyMember[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error('a family is a list of children');
  return raw.map((x: unknown, i) => {
    const c = (x ?? {}) as Partial<Record<keyof FamilyMember, unknown>>;
    if (!u32(c.pid) || c.pid === 0 || !u32(c.pgid) || !u32(c.sid) || !u32(c.exit_signal) || c.exit_signal > NSIG || typeof c.node !== 'string') {
      throw new Error(`child ${i} of the family is malformed`);
    }
    const ended = c.code === CLD_EXITED || c.code === CLD_KILLED || c.code === CLD_DUMPED;
    if (!(c.code === 0 || ended) || !u32(c.status) || (c.code === CLD_EXITED ? c.status > 0xff : ended && (c.status < 1 || c.status > NSIG))) {
      throw new Error(`child ${c.pid} of the family has a bad end (code ${String(c.code)}, status ${String(c.status)})`);
    }
    return { pid: c.pid, pgid: c.pgid, sid: c.sid, exit_signal: c.exit_signal, node: c.node, code: c.code as number, status: c.status };
  });
}
