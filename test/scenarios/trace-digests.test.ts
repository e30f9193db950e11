// The scenarios' trace digests, pinned: the same seed must give the same run, byte for byte, across
// refactors of the simulator, the network, Raft and the services. A change here is a change of behaviour
// and needs a reason. Runs the CLI, as a user would. (migrate, deadlock and false-sharing run guests on emulated machines: their
// digests also pin the kernel and the guests, and hold from any checkout, the guests being named by their path in
// the package.)
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const PINNED: readonly [scenario: string, seed: number, sha256: string][] = [
  ['swarm', 1, 'd0ce233e0e478fa3a0d25037fb9ba83b273da416b0289533d63adfb8b372b4b3'],
  ['swarm', 7, 'b58d482e18d1f4acc5e2b48e223e34219a36700136e32414a967dfa6372c6861'],
  ['leader-crash', 7, '3be5c34e9f5ca92fe4888586cb76139acd2b7758a8cec8788a6ebb282a347f11'],
  ['raft-partition', 7, 'f5fa8cf3731d6b35adbccf5619c5f36c715f03f74210365acb4c09822d22b6a7'],
  ['migrate', 7, '23abde598fa17aff7519a5df46b887f82fb8f04a54e15281fbe45e7822ff0306'],
  ['deadlock', 7, 'cc0d67622ef90d184be2172ed9e305cf9efb53ddc0f612f0a9e03e6d76109c16'],
  ['false-sharing', 7, '1759cb034ced7b5c5e97e0381461c554c28f48cf5be419ccce25279571262df6'],
];

describe('scenario trace digests', () => {
  for (const [scenario, seed, sha256] of PINNED) {
    it(`${scenario} --seed ${seed} gives the pinned trace digest and passes`, () => {
      const out = execFileSync(process.execPath, ['bin/atoll.js', 'scenario', scenario, '--seed', String(seed), '--json'], { encoding: 'utf8' });
      const report = JSON.parse(out) as { trace_hash: string; passed: boolean };
      expect(report.trace_hash).toBe(sha256);
      expect(report.passed).toBe(true);
    }, 60_000);
  }
});
