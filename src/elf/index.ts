// The ELF loader's public face: parseElf turns the bytes of a static RISC-V ELF32 executable into its
// entry point and loadable segments (with permissions), or throws an ElfError whose code names the rule
// the file breaks. Mapping the segments into a node's memory is the node's job.
export { parseElf, DEFAULT_USER_BASE, DEFAULT_USER_END, MAX_PROGRAM_HEADERS } from './parse.js';
export type { ElfSegment, ElfImage, ElfParseOptions } from './parse.js';
export { ElfError } from './errors.js';
export type { ElfErrorCode } from './errors.js';
