// Data-driven Raft scripts in the etcd/raft manner: test/raft/testdata/*.txt hold commands, each followed
// by `----` and the expected output (the messages a command caused, in delivery order, or a status).
// REWRITE=1 npx vitest run test/raft/datadriven.test.ts regenerates the expected outputs.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestNet } from './harness.js';
import type { Entry, Message } from '../../src/raft/index.js';

const DIR = path.join(import.meta.dirname, 'testdata');

function ent(e: Entry): string {
  return `${e.index}/${e.term}${e.data === '' ? '' : `:${e.type === 'conf' ? 'conf' : e.data}`}`;
}

export function fmt(m: Message): string {
  const h = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'app': return `${h} prev=${m.index}/${m.logTerm} commit=${m.commit} entries=[${m.entries.map(ent).join(' ')}]`;
    case 'app-resp': return m.reject ? `${h} reject index=${m.index} hint=${m.rejectHint}/${m.logTerm}` : `${h} index=${m.index}`;
    case 'vote': case 'prevote': return `${h} last=${m.index}/${m.logTerm}${m.force ? ' force' : ''}`;
    case 'vote-resp': case 'prevote-resp': return `${h} ${m.reject ? 'rejected' : 'granted'}`;
    case 'heartbeat': return `${h} commit=${m.commit}${m.context ? ` ctx=${m.context}` : ''}`;
    case 'heartbeat-resp': return `${h}${m.context ? ` ctx=${m.context}` : ''}`;
    case 'snap': return `${h} snapshot=${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
    case 'timeout-now': return h;
  }
}

function flag(args: string[], name: string): boolean | undefined {
  const a = args.find((x) => x.startsWith(`${name}=`));
  return a === undefined ? undefined : a.endsWith('=true');
}

function runScript(text: string): string {
  let net: TestNet | null = null;
  const out: string[] = [];
  const blocks = text.split(/\n\n+/).map((b) => b.trim()).filter((b) => b !== '');
  for (const block of blocks) {
    const [cmdPart] = block.split('\n----');
    const lines = cmdPart!.split('\n').filter((l) => !l.startsWith('#'));
    const produced: string[] = [];
    for (const line of lines) {
      const [cmd, ...args] = line.trim().split(/\s+/);
      const before = net?.sent.length ?? 0;
      switch (cmd) {
        case 'add-nodes': {
          const ids = args.filter((a) => !a.includes('='));
          net = new TestNet(ids, { pre_vote: flag(args, 'pre-vote') ?? true, check_quorum: flag(args, 'check-quorum') ?? true });
          break;
        }
        case 'campaign': net!.node(args[0]!).campaign(); break;
        case 'propose': produced.push(JSON.stringify(net!.node(args[0]!).propose(args[1]!))); break;
        case 'transfer': net!.node(args[0]!).transferLeader(args[1]!); break;
        case 'read-index': produced.push(JSON.stringify(net!.node(args[0]!).readIndex(args[1]!))); break;
        case 'isolate': net!.isolate(args[0]!); break;
        case 'compact': produced.push(`snapshot at ${net!.snapshotOf(args[0]!).meta.index}`); break;
        case 'restart': net!.restart(args[0]!); break;
        case 'add-node': net!.add(args[0]!, args.slice(1), 77); break;
        case 'conf': produced.push(JSON.stringify(net!.node(args[0]!).proposeConfChange({ kind: args[1] as 'add-learner', node: args[2]! }))); break;
        case 'heal': net!.heal(); break;
        case 'tick': for (let i = 0; i < Number(args[1] ?? 1); i++) net!.node(args[0]!).tick(); break;
        case 'stabilize': net!.stabilize(); break;
        case 'status':
          for (const r of net!.nodes.values()) {
            const s = r.status();
            produced.push(`${s.id} ${s.role} term=${s.term} vote=${s.vote ?? '-'} lead=${s.lead ?? '-'} commit=${s.commit} last=${s.lastIndex}`);
          }
          break;
        case 'reads': produced.push(...[...net!.reads].map(([id, rs]) => `${id}: ${rs.map((r) => `${r.context}@${r.index}`).join(' ')}`)); break;
        default: throw new Error(`unknown command '${line}'`);
      }
      if (cmd === 'stabilize') {
        // Delivered messages in order; those the cuts dropped only as a count.
        const sent = net!.sent.slice(before);
        const dropped = sent.filter((m) => net!.isCut(m)).length;
        produced.push(...sent.filter((m) => !net!.isCut(m)).map(fmt));
        if (dropped > 0) produced.push(`(${dropped} dropped by the partition)`);
      }
    }
    out.push(`${cmdPart!.trim()}\n----\n${produced.length ? produced.join('\n') : 'ok'}`);
  }
  return out.join('\n\n') + '\n';
}

describe('raft data-driven scripts', () => {
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort()) {
    it(`testdata/${file}`, () => {
      const text = fs.readFileSync(path.join(DIR, file), 'utf8');
      const got = runScript(text);
      if (process.env['REWRITE'] === '1') fs.writeFileSync(path.join(DIR, file), got);
      else expect(got).toBe(text);
    });
  }
});
