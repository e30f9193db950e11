// The single-system image: every cluster node runs an emulated machine (machine-service.ts) in the node's own
// time, and the cluster looks like one computer to the programs on it. cluster-run.ts boots a simulated cluster
// and runs programs on its nodes (`atoll cluster run`); cluster-console.ts is its console and process book.
export { MachineService, MACHINE_SERVICE, SLICE_INSTRUCTIONS_DEFAULT, type BootProgram, type MachineObserver, type MachineServiceOptions } from './machine-service.js';
export { ProcessWatch, type ProcessEnd } from './process-watch.js';
export { ClusterConsole, OUTPUT_BYTES_MAX, PROCESSES_MAX, type ProcessRecord, type ProcessState, type ConsoleLine } from './cluster-console.js';
export {
  runCluster, nodeIndex, CLUSTER_RUN_NODES_MAX, MAX_VIRTUAL_NS_DEFAULT, CLUSTER_RAM_BYTES_DEFAULT,
  type NodeProgram, type ClusterRunOptions, type ClusterRunResult, type ClusterRunEnd,
} from './cluster-run.js';
export { placeProcess, isPlacementPolicy, PLACEMENT_POLICIES, type PlacementPolicy, type PlacementInput } from './placement.js';
export { ProcessBridge, compareNodes, LOAD_REPORT_NS, type ProcessBridgeOptions, type RemoteForker } from './process-bridge.js';
export { realMachineService, parseMachineLine, MACHINE_LINE_PREFIX, REAL_SLICE_INSTRUCTIONS, type MachineLine } from './machine-node.js';
