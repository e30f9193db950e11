// The composition layer: the built-in services (echo, counter) and the default registry that names every
// service a cluster config may start (echo, counter, mq, raft-kv, procs), with config loading checked against it.
export { SERVICES, SERVICE_NAMES, serviceFactory, parseClusterConfig, loadClusterConfig } from './registry.js';
export { EchoService, CounterService } from './builtin.js';
