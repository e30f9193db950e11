// Networks: the simulated network with its latency models and faults (scripts and a seeded nemesis),
// and the real TCP transport with authenticated frames.
export { SimNetwork, DEFAULT_LINK, checkLink, type LinkParams, type NetworkStats, type SimNetworkOptions, type DeliverFn } from './sim-network.js';
export { sampleLatency, checkLatency, type LatencyDist } from './latency.js';
export {
  parseFaultScript, parseDuration, applyFault, scheduleFaults, FaultScriptError,
  type Fault, type ScheduledFault, type FaultTarget,
} from './faults.js';
export { Nemesis, majoritiesRing, type NemesisKind, type NemesisOptions } from './nemesis.js';
export {
  TcpTransport, encodeFrame, decodeBody, FrameReader, FRAME_VERSION, FRAME_MAX_BYTES_DEFAULT, MAC_BYTES,
  type TcpTransportOptions, type TransportStats, type PeerAddress, type Frame, type DropReason,
} from './tcp/index.js';
