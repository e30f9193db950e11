// Distributed shared memory (docs/dsm.md): the coherence protocols that keep host-kept pages
// (src/machine/host-pages.ts) of several machines one memory. Now: IVY's sequentially consistent protocol as
// a pure state machine.
export { IvyNode, managerOf, type IvyMessage, type IvyCounters, type PageStore, type Send, type Access, type NodeIndex } from './ivy.js';
export { ProcessPages } from './machine-pages.js';
export { DsmRegions, REGIONS_MAX, type DsmRegionsOptions, type DsmWire, type RegionFigures, type PageFigures } from './region.js';
