// The host edge: helpers that need Node's file system. Nothing below the CLI, the real-mode cluster and
// storage imports this folder, so the simulator and the pure cores stay loadable in a browser.
export { makeDirectories, DIRECTORY_DEPTH_MAX } from './directories.js';
export { readPorcupineCorpus, findPorcupineCorpus } from './porcupine-corpus.js';
export { parseCommand, parseOrHelp, parseArgs, commandHelp, formatFlagHelp, didYouMean, unknownName } from './command-line.js';
