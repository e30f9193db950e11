// What a strategy needs of its node's lock service: the node, its manager and home, bare sends (counted as
// detection messages unless they stay on this node), the confirmation machinery, and where events go.
import type { LockHome } from './home.js';
import type { ResourceManager } from './manager.js';
import type { DetectionMessage, Hop } from './wire.js';

export interface DetectorPort {
  readonly id: string;
  readonly nodes: readonly string[];
  readonly manager: ResourceManager;
  readonly home: LockHome;
  readonly period_ns: number;
  now(): number;
  /** Send a detection message (to this node: handled after the current event); 1 when it left the node, else 0. */
  send(to: string, m: DetectionMessage): number;
  /** Confirm a cycle a detector found and break it (confirm.ts); sent: messages spent finding it. */
  confirm(det: string, cycle: readonly Hop[], sent: number, started_ns: number): void;
  /** Run fn once a confirmation has surely ended. */
  after(fn: () => void): void;
}
