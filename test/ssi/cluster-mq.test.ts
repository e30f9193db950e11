// POSIX message queues with cluster-wide names: a producer on one node and a consumer on another share a queue
// that lives on a third (its home, from the name), over a lossy, duplicating network: every message once, in
// order, the priority honoured, a timed receive on the empty queue times out; the same programs on one machine
// behave the same.
import { describe, expect, it } from 'vitest';
import { runCluster } from '../../src/ssi/index.js';

const guest = (name: string): string => new URL(`../../guest/${name}`, import.meta.url).pathname;
const DONE = 'consumer: 40 messages in order, each once: yes; urgent with priority 9: yes; empty queue after 50 ms: ETIMEDOUT';

describe('cluster-wide message queues', () => {
  for (const link of [{}, { loss: 0.1, duplicate: 0.1 }]) {
    it(`carries a producer's messages to a consumer on another node (${JSON.stringify(link)})`, async () => {
      // '/telemetry' lives on n2: the producer on n1 and the consumer on n3 both reach it over the network.
      const r = await runCluster({
        seed: 6, nodes: 3, link,
        programs: [{ node: 'n1', path: guest('cluster/mq_producer.elf'), args: ['/telemetry'] }, { node: 'n3', path: guest('cluster/mq_consumer.elf'), args: ['/telemetry'] }],
      });
      expect(r.end).toBe('ended');
      const consumer = r.processes.find((p) => p.node === 'n3')!;
      expect(consumer.stdout).toContain(DONE);
      expect(consumer.exit_code).toBe(0);
      expect(r.processes.find((p) => p.node === 'n1')!.stdout).toContain('an oversize message gives -90');
    });
  }

  it('behaves the same with both programs on the queue\'s own node', async () => {
    const r = await runCluster({
      seed: 7, nodes: 3,
      programs: [{ node: 'n2', path: guest('cluster/mq_producer.elf'), args: ['/telemetry'] }, { node: 'n2', path: guest('cluster/mq_consumer.elf'), args: ['/telemetry'] }],
    });
    expect(r.processes.map((p) => p.exit_code)).toEqual([0, 0]);
    expect(r.processes[1]!.stdout).toContain(DONE);
  });
});
