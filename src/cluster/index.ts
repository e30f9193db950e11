// The cluster layer's public face: the node interface (NodeContext, NodeService), the service registry,
// the simulated cluster host, the real TCP node with its config and file storage. The cluster CA
// (pki.ts, X.509 for TLS) is imported on its own, so loading the cluster layer needs no X.509 code.
export type { NodeContext, NodeService, ServiceFactory, Envelope, TimerId } from '../node/index.js';
export { isEnvelope } from '../node/index.js';

export { SimCluster, SimNodeHost, type SimClusterOptions, type SimNodeSpec, type SimEnvelope } from './sim-cluster.js';
export { RealNode, type RealNodeOptions, type HostClock } from './real-node.js';
export { parseClusterConfig, loadClusterConfig, loadTlsMaterial, linkDelayMs, ConfigError, CONFIG_MAX_NODES, type ClusterConfig, type NodeAddress, type ServiceList, type ClusterTls, type LinkDelay } from './config.js';
export { ServiceFileStorage } from './file-storage.js';
export { NamespacedStorage } from './namespaced-storage.js';

