// Message-queue wire messages (a union on `t`) and their validation. Offsets number a queue's messages
// from 0; (pid, seq) numbers one producer's messages from 1.

export type FullPolicy = 'reject' | 'block';

export interface MqPublish { readonly t: 'mq.pub'; readonly q: string; readonly pid: string; readonly seq: number; readonly body: unknown; readonly rsvc: string }
/**
 * ok: queued; rejected: dropped under the reject policy; full: not taken, retry later (block policy);
 * missing: the broker holds later messages and asks for this one now (fast retransmit).
 */
export interface MqPublishReply { readonly t: 'mq.pubr'; readonly q: string; readonly pid: string; readonly seq: number; readonly status: 'ok' | 'rejected' | 'full' | 'missing' }
/** Subscribe (also the consumer's heartbeat): `next` is the first offset the consumer has not processed. */
export interface MqSubscribe { readonly t: 'mq.sub'; readonly q: string; readonly cid: string; readonly next: number; readonly window: number; readonly rsvc: string }
/** A delivery; `head` is the lowest offset the broker still holds (all below were acknowledged). */
export interface MqDeliver { readonly t: 'mq.msg'; readonly q: string; readonly off: number; readonly head: number; readonly pid: string; readonly pseq: number; readonly body: unknown }
/** Cumulative acknowledgement: every offset below `next` is processed. */
export interface MqAck { readonly t: 'mq.ack'; readonly q: string; readonly cid: string; readonly next: number }
/** The consumer holds later deliveries and asks for this offset now (fast retransmit). */
export interface MqNack { readonly t: 'mq.nack'; readonly q: string; readonly cid: string; readonly off: number }

export type MqMessage = MqPublish | MqPublishReply | MqSubscribe | MqDeliver | MqAck | MqNack;

const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isName = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256;

export function parseMqMessage(x: unknown): MqMessage | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const m = x as Record<string, unknown>;
  if (!isName(m['q'])) return undefined;
  switch (m['t']) {
    case 'mq.pub':
      return isName(m['pid']) && isNat(m['seq']) && isName(m['rsvc']) && 'body' in m ? (m as unknown as MqPublish) : undefined;
    case 'mq.pubr':
      return isName(m['pid']) && isNat(m['seq']) && (m['status'] === 'ok' || m['status'] === 'rejected' || m['status'] === 'full' || m['status'] === 'missing')
        ? (m as unknown as MqPublishReply) : undefined;
    case 'mq.sub':
      return isName(m['cid']) && isNat(m['next']) && isNat(m['window']) && isName(m['rsvc']) ? (m as unknown as MqSubscribe) : undefined;
    case 'mq.msg':
      return isNat(m['off']) && isNat(m['head']) && isName(m['pid']) && isNat(m['pseq']) && 'body' in m ? (m as unknown as MqDeliver) : undefined;
    case 'mq.ack':
      return isName(m['cid']) && isNat(m['next']) ? (m as unknown as MqAck) : undefined;
    case 'mq.nack':
      return isName(m['cid']) && isNat(m['off']) ? (m as unknown as MqNack) : undefined;
    default:
      return undefined;
  }
}
