// The base layer under every other folder of src/: the errors a user can cause (each with its exit code),
// what a command line is made of (flag specs, parsed arguments and their typed accessors; the parser itself
// is src/host's, on commander), and the time-left estimate of progress lines. Imports nothing from the
// project and nothing of Node's: it loads in a browser.
export { UsageError, InputError, StorageCorruptError } from './errors.js';
export {
  parseSize, parseInteger, flagBool, flagNumber, flagString, ownEntry, PLACEHOLDERS,
  type CommandSpec, type FlagKind, type FlagSpec, type FlagSpecs, type FlagValue, type ParsedArgs,
} from './args.js';
export { Eta, ETA_STEPS_MAX, formatDuration } from './eta.js';
export { latin1Bytes, latin1Text, base64Text, base64Bytes, hostIds, utf8Length } from './text.js';
