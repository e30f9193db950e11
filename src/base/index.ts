// The base layer under every other folder of src/: the errors a user can cause (each with its exit code)
// and the strict flag parser the commands share. Imports nothing from the project.
export { UsageError, InputError, StorageCorruptError } from './errors.js';
export {
  parseArgs, parseCommand, commandHelp, parseSize, parseInteger, flagBool, flagNumber, flagString, formatFlagHelp, ownEntry, didYouMean, unknownName,
  type CommandSpec, type FlagKind, type FlagSpec, type FlagSpecs, type FlagValue, type ParsedArgs,
} from './args.js';
export { Eta, ETA_STEPS_MAX, formatDuration } from './eta.js';
