// What a replicated service plugs into the rsm host: a deterministic state machine. Every replica applies
// the same committed commands in the same order and must end in the same state, so apply() may read
// nothing but its state and the command: no clock, no randomness, no I/O, no iteration over unordered
// state that differs between replicas. Commands and snapshots are text (they travel inside JSON messages).

export interface StateMachine<R> {
  /**
   * Apply the committed command at log `index` (strictly increasing across calls; entries without a
   * command, a new leader's no-op or a membership change, are not passed in). Returns what the proposer
   * receives. Must not throw for a bad command: return an error result (a throw crashes the node).
   */
  apply(index: number, data: string): R;
  /** The whole state, as text restore() accepts; the same state gives the same text on every replica. */
  snapshot(): string;
  /** Replace the state with a snapshot() image (from this node's storage or from the leader). */
  restore(snapshot: string): void;
}

/**
 * A command as the log holds it (JSON text) through a service's validation: the command, or the error text
 * for one that is not JSON or not valid (a replica applies nothing for it, the same on every replica).
 */
export function parseLogCommand<C>(raw: string, validate: (v: unknown) => C | string): C | string {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return 'command is not JSON';
  }
  return validate(v);
}
