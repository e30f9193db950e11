// Atoll as a library: the same host API the CLI uses. Each face is also its own entry point
// (`atoll/machine`, `atoll/sim`, ...), so a program loads only what it imports.
export * as machine from './machine/index.js';
export * as elf from './elf/index.js';
export * as sim from './sim/index.js';
export * as net from './net/index.js';
export * as cluster from './cluster/index.js';
export * as raft from './raft/index.js';
export * as rsm from './rsm/index.js';
export * as kv from './kv/index.js';
export * as node from './node/index.js';
export * as services from './services/index.js';
export * as check from './check/index.js';
export * as quorum from './quorum/index.js';
export * as scenarios from './scenarios/index.js';
export { UsageError, InputError } from './base/index.js';
