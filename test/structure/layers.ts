// The layers of src/ and the folders that must load in a browser: read by the structure tests.

/** Each folder of src/ and its layer, lowest first: a folder may import only folders of lower layers. */
export const LAYERS: readonly (readonly string[])[] = [
  ['base'],
  ['sim', 'time', 'check', 'elf', 'native'],
  ['raft', 'host', 'vfs'],
  ['net', 'machine', 'wal'],
  ['net/tcp', 'node'],
  ['rpc', 'mq', 'rsm', 'cluster', 'deadlock', 'dsm'],
  ['gfs', 'quorum', 'geo'],
  ['kv', 'ssi'],
  ['services'],
  ['scenarios'],
  // browser: the page's entry and its hart worker, bundled with the Node-only seams of machine/ and vfs/
  // swapped for their .browser.ts twins (scripts/build-browser.mjs checks the bundles name no node: module).
  ['soak', 'browser'],
  ['cli'],
];
/** Folders whose code must load in a browser: no `node:` import, nothing that imports one. */
export const BROWSER_SAFE: readonly string[] = ['base', 'sim', 'time', 'check', 'raft', 'net', 'node', 'rpc', 'mq', 'rsm'];
