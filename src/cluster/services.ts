// The service registry: service names (as written in a cluster config) to factories. `atoll node` and
// the simulator start the services a config names from this map; a new service is one line here.
import type { ServiceFactory } from './context.js';
import { ownEntry } from '../base/index.js';
import { CounterService, EchoService } from './builtin.js';
import { MqBrokerService } from '../mq/broker-service.js';
import { RaftKvService, parseRaftKvOptions } from '../kv/index.js';

export const SERVICES: Record<string, ServiceFactory> = {
  echo: () => new EchoService(),
  counter: (options) => new CounterService(options),
  mq: (options) => new MqBrokerService(options),
  'raft-kv': (options) => new RaftKvService(parseRaftKvOptions(options)),
};

export function serviceFactory(name: string): ServiceFactory {
  const f = ownEntry(SERVICES, name);
  if (!f) throw new Error(`unknown service '${name}' (known: ${Object.keys(SERVICES).join(', ')})`);
  return f;
}
