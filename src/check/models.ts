// The sequential models the checker ships with: a register with read/write/compare-and-set (Jepsen's etcd
// test), a key-value store with get/put/append (Porcupine's kv test), and the register-per-key with
// put/get/del that Atoll's own Raft key-value histories use. Each key-value model is partitioned by key.
import { hashString, partitionByKey, type Model, type StepResult } from './model.js';

const REJECT: StepResult<never> = { ok: false, state: undefined as never };
const ok = <S>(state: S): StepResult<S> => ({ ok: true, state });

// --- register: read / write / cas -------------------------------------------------------------------

export type RegisterValue = number | string;
export type RegisterInput =
  | { readonly op: 'read' }
  | { readonly op: 'write'; readonly value: RegisterValue }
  | { readonly op: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };
/** read: the value seen (null: never written); write: null; cas: true if it swapped, false if the compare failed. */
export type RegisterOutput = RegisterValue | null | boolean;
/** null: never written. */
export type RegisterState = RegisterValue | null;

const hashValue = (v: RegisterValue | null): number =>
  v === null ? 0x2545f491 : typeof v === 'number' ? Math.imul(v | 0, 0x9e3779b1) ^ 0x5bd1e995 : hashString(v);

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: 'register (read, write, cas)',
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case 'read': return output === undefined || output === state ? ok(state) : REJECT;
      case 'write': return ok(input.value);
      case 'cas':
        if (state === input.from) return output === false ? REJECT : ok(input.to);
        return output === true ? REJECT : ok(state);
    }
  },
  hash: hashValue,
  equal: (a, b) => a === b,
  readOnly: (input) => input.op === 'read',
  describe(input, output) {
    const out = output === undefined ? '?' : String(output);
    switch (input.op) {
      case 'read': return `read -> ${out}`;
      case 'write': return `write ${input.value}`;
      case 'cas': return `cas ${input.from} -> ${input.to}: ${out}`;
    }
  },
};

// --- key-value store: get / put / append -------------------------------------------------------------

export interface KvInput {
  readonly op: 'get' | 'put' | 'append';
  readonly key: string;
  /** put, append: the value written or appended. */
  readonly value?: string;
}
/** get: the value read (the empty string when never written); put and append: null. */
export type KvOutput = string | null;

/** One key's value with its hash, kept incrementally so an append costs the length of what it appends. */
export interface KvState {
  readonly value: string;
  readonly hash: number;
}

const EMPTY: KvState = { value: '', hash: hashString('') };

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: 'key-value (get, put, append)',
  init: () => EMPTY,
  step(state, input, output) {
    switch (input.op) {
      case 'get': return output === undefined || output === state.value ? ok(state) : REJECT;
      case 'put': { const v = input.value ?? ''; return ok({ value: v, hash: hashString(v) }); }
      case 'append': {
        const v = input.value ?? '';
        return ok({ value: state.value + v, hash: hashString(v, state.hash) });
      }
    }
  },
  hash: (s) => s.hash,
  equal: (a, b) => a === b || (a.hash === b.hash && a.value === b.value),
  partition: partitionByKey((input: KvInput) => input.key),
  readOnly: (input) => input.op === 'get',
  describe: (input, output) =>
    input.op === 'get' ? `get ${input.key} -> ${output === undefined ? '?' : JSON.stringify(output)}` : `${input.op} ${input.key} ${JSON.stringify(input.value ?? '')}`,
};

// --- register per key: put / get / del (Atoll's KvOperation histories) ---------------------------------

export interface KvRegisterInput {
  readonly op: 'put' | 'get' | 'del';
  readonly key: string;
  readonly value?: string;
}
/** get: the value read (null: absent); put and del: null. */
export type KvRegisterOutput = string | null;

export const kvRegisterModel: Model<string | null, KvRegisterInput, KvRegisterOutput> = {
  name: 'register per key (put, get, del)',
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case 'put': return ok(input.value ?? '');
      case 'del': return ok(null);
      case 'get': return output === undefined || output === state ? ok(state) : REJECT;
    }
  },
  hash: (s) => (s === null ? 0x2545f491 : hashString(s)),
  equal: (a, b) => a === b,
  partition: partitionByKey((input: KvRegisterInput) => input.key),
  readOnly: (input) => input.op === 'get',
  describe: (input, output) =>
    input.op === 'get' ? `get ${input.key} -> ${output === undefined ? '?' : String(output)}` : `${input.op} ${input.key}${input.value !== undefined ? ` ${input.value}` : ''}`,
};
