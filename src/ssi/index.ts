// The single-system image: every cluster node runs an emulated machine (machine-service.ts) in the node's own
// time, and the cluster looks like one computer to the programs on it. cluster-run.ts boots a simulated cluster
// and runs programs on its nodes (`atoll cluster run`); cluster-console.ts is its console and process book.
// Its process services: the cluster-wide PID space (leased ranges, never reused)
// and the process directory (pid -> node) as one replicated state machine, the `procs` node service that
// runs it on the rsm host with its node-local client API, and the LeaseKeeper that keeps a node stocked
// with PIDs so a fork never waits for consensus. Limits: limits.ts.
export { MachineService, MACHINE_SERVICE, SLICE_INSTRUCTIONS_DEFAULT, type BootProgram, type MachineObserver, type MachineServiceOptions } from './machine-service.js';
export { ProcessWatch, type ProcessEnd } from './process-watch.js';
export { ClusterConsole, OUTPUT_BYTES_MAX, PROCESSES_MAX, type ProcessRecord, type ProcessState, type ConsoleLine } from './cluster-console.js';
export {
  runCluster, programInNamespace, nodeIndex, CLUSTER_RUN_NODES_MAX, MAX_VIRTUAL_NS_DEFAULT, CLUSTER_RAM_BYTES_DEFAULT,
  type NodeProgram, type ClusterRunOptions, type ClusterRunResult, type ClusterRunEnd,
} from './cluster-run.js';
export { Migrations, MIGRATION_LINK_BPS_DEFAULT, migrationText, type MigrationFigures, type PagesLost } from './migration.js';
export { PRECOPY_ROUNDS_MAX, PRECOPY_STOP_PAGES, POSTCOPY_PUSH_PAGES } from './migration-pages.js';
export { placeProcess, isPlacementPolicy, compareNodes, PLACEMENT_POLICIES, type PlacementPolicy, type PlacementInput } from './placement.js';
export { ProcessBridge, LOAD_REPORT_NS, type ProcessBridgeOptions, type RemoteForker } from './process-bridge.js';
export { realMachineService, parseMachineLine, MACHINE_LINE_PREFIX, REAL_SLICE_INSTRUCTIONS, type MachineLine } from './machine-node.js';
export {
  PID_FIRST, PID_LAST, LEASE_COUNT_MAX, LEASE_TABLE_MAX, DIRECTORY_MAX, PROGRAM_MAX_BYTES, NODE_NAME_MAX_BYTES,
  SESSION_ID_MAX_BYTES, SSI_SESSIONS_MAX, LIST_PAGE_MAX,
} from './limits.js';
export {
  PidStateMachine, encodeCommand, parseCommand, validateCommand, validateOp, validatePlacement, validateExit, validateEntry,
  validateResult, type LeaseRecord, type ProcessExit, type Placement, type ProcessEntry, type PidOp, type PidCommand,
  type PidValue, type PidResult, type PidOwner, type ListPage, type PidMachineOptions,
} from './state-machine.js';
export {
  validateWire, type SsiWire, type WireCommand, type WireCommandAnswer, type WireQuery, type WireQueryAnswer, type PidQuery,
  type QueryAnswer, type LookupAnswer, type ListAnswer,
} from './wire.js';
export {
  ProcsClient, PROCS_CLIENT_DEFAULTS, type ProcsClientOptions, type SsiCallOptions, type SsiError, type SsiErrorKind, type SsiOutcome,
} from './client.js';
export {
  ProcsService, PROCS_SERVICE, parseProcsOptions, procsOf, type ProcsServiceOptions, type ProcsHost, type LeaseGrant,
  type PlaceRequest, type ListOptions,
} from './service.js';
export { LeaseKeeper, type LeaseKeeperOptions, type LeaseSource } from './lease-keeper.js';
export { parseOperatorRequest, parseOperatorReply, OPERATOR_SERVICE, type OperatorRequest, type OperatorReply, type OperatorProcess } from './operator.js';
export { ClusterMqueues, MQ_REMOTE_HANDLES_MAX } from './cluster-mqueues.js';
export { RemoteForks, FORK_DEADLINE_NS } from './remote-fork.js';
export { OrderedCalls, ORDERED_DEADLINE_NS } from './ordered-calls.js';
export { PidFeeder, PID_LEASE_COUNT } from './pid-feeder.js';
export { OperatorClient, machineNodes, type NodeProcesses, type FsRequestBody } from './operator-client.js';
export { soakSeed, soakFaults, type SoakOutcome } from './fault-soak.js';
export { migrationSoakSeed, migrationSoakFaults, type MigrationSoakOutcome, type SoakProgram } from './migration-soak.js';
