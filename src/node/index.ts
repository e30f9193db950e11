// A cluster node's port: the interface every service is written against (NodeContext, NodeService), the
// same in the simulator and over TCP, and the envelope that carries a service's messages. Low in the stack:
// services import this, the hosts that run them (src/cluster) implement it.
export type { NodeContext, NodeService, ServiceFactory, ServiceRegistry, Envelope, TimerId } from './context.js';
export { OPERATOR_SERVICE } from './context.js';
export { isEnvelope, lookupService } from './context.js';
