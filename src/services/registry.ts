// The default service registry: service names (as written in a cluster config) to factories. `atoll node`,
// `atoll cluster` and simulated clusters that name their services start them from this map; a new service
// is one line here. This is the composition layer: it sits above the services and the cluster hosts, which
// take a registry as an option instead of importing one.
import { lookupService, type ServiceFactory, type ServiceRegistry } from '../node/index.js';
import { loadClusterConfig as loadAnyConfig, parseClusterConfig as parseAnyConfig, type ClusterConfig } from '../cluster/index.js';
import { CounterService, EchoService } from './builtin.js';
import { MqBrokerService } from '../mq/index.js';
import { RaftKvService, parseRaftKvOptions } from '../kv/index.js';
import { ProcsService, parseProcsOptions } from '../ssi/index.js';
import { RaftFileStorage } from '../wal/index.js';
import { GfsService, parseGfsOptions } from '../gfs/index.js';
import { realMachineService } from '../ssi/index.js';
import { GeoStore, parseGeoOptions } from '../geo/index.js';

export const SERVICES: ServiceRegistry = {
  echo: () => new EchoService(),
  counter: (options) => new CounterService(options),
  mq: (options) => new MqBrokerService(options),
  // A real node's emulated machine; its guests' events go to stdout as `@atoll` lines (src/ssi/machine-node.ts).
  machine: (options) => realMachineService(options, (line) => void process.stdout.write(line + '\n')),
  'raft-kv': (options) => new RaftKvService({ ...parseRaftKvOptions(options), open_file_storage: (dir) => new RaftFileStorage(dir) }),
  procs: (options) => new ProcsService({ ...parseProcsOptions(options), open_file_storage: (dir) => new RaftFileStorage(dir) }),
  // The global namespace: before `machine` in a node's services, it is the machine's '/'.
  gfs: (options) => new GfsService({ ...parseGfsOptions(options), open_file_storage: (dir) => new RaftFileStorage(dir) }),
  // The geo-replicated store: options name the centres and their nodes ({ "centres": { "dc1": [...], ... } }).
  geo: (options) => new GeoStore(parseGeoOptions(options)),
};

export const SERVICE_NAMES: readonly string[] = Object.keys(SERVICES);

export function serviceFactory(name: string): ServiceFactory {
  return lookupService(SERVICES, name);
}

/** A cluster config whose service names must all be in the default registry. */
export function parseClusterConfig(raw: unknown, baseDir: string): ClusterConfig {
  return parseAnyConfig(raw, baseDir, SERVICE_NAMES);
}

/** Read a cluster config file whose service names must all be in the default registry. */
export function loadClusterConfig(path: string): ClusterConfig {
  return loadAnyConfig(path, SERVICE_NAMES);
}
