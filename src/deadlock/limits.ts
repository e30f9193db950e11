// Every bound and period of the distributed lock managers and their deadlock strategies, in one place.

/** The strategies a cluster may choose (besides the namespace's own central lock table in its log). */
export const DEADLOCK_STRATEGIES = ['edge-chasing', 'collector', 'collector-naive', 'ordered', 'wait-die'] as const;
export type DeadlockStrategy = (typeof DEADLOCK_STRATEGIES)[number];

/** A wait is probed (edge chasing) or reported (collector) once it has lasted this long, and again every period. */
export const PROBE_PERIOD_NS_DEFAULT = 50_000_000;
/** A detector gives up a confirmation whose answers have not all come back by then. */
export const CONFIRM_TIMEOUT_NS = 40_000_000;
/** A hold a detector set on a wait lapses by itself after this (its detector crashed, its unhold was lost). */
export const HOLD_NS = 200_000_000;
/** A home node unheard of this long is gone: its owners' locks and waits are released (its lease). */
export const LEASE_NS_DEFAULT = 1_000_000_000;
/** Hops a probe carries at most (a cycle longer than this is not found). */
export const PROBE_HOPS_MAX = 32;
/** Unacknowledged requests a node keeps for one peer (beyond: the request is refused with ENOLCK). */
export const CHANNEL_UNACKED_MAX = 8192;
/** How often unacknowledged messages are sent again. */
export const CHANNEL_RETRY_NS = 20_000_000;
/** Confirmations one detector runs at once (further cycles wait for the next round). */
export const CONFIRMATIONS_MAX = 256;
/** Waits one collector report carries at most (the rest wait for the next report). */
export const REPORT_WAITS_MAX = 4096;
/** Detection events a service remembers for its report (the oldest go first). */
export const EVENTS_MAX = 1024;
