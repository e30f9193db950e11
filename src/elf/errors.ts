// The typed error of the ELF loader: one code per rule a program can break, and a message that says
// what is wrong with the file and what was expected. It is an InputError, so the CLI prints it as one
// line and exits 1.
import { InputError } from '../base/index.js';

/** Every way parseElf can reject a file; each rule has its own code. */
export type ElfErrorCode =
  | 'truncated' // shorter than an ELF header
  | 'bad-magic' // not \x7fELF
  | 'bad-class' // not ELFCLASS32
  | 'bad-endianness' // not little-endian
  | 'bad-machine' // not EM_RISCV (243)
  | 'bad-type' // not ET_EXEC
  | 'rvc' // e_flags asks for compressed instructions
  | 'bad-header-size' // e_ehsize or e_phentsize wrong
  | 'too-many-program-headers' // e_phnum above the loader's bound
  | 'program-headers-outside-file' // the program header table runs past the end of the file
  | 'interpreter' // PT_INTERP: a dynamically linked program
  | 'segment-outside-user-space' // a PT_LOAD outside [userBase, userEnd)
  | 'segments-overlap' // two PT_LOAD segments share addresses
  | 'filesz-exceeds-memsz' // p_filesz > p_memsz
  | 'segment-outside-file' // p_offset + p_filesz past the end of the file
  | 'entry-misaligned' // entry not 4-byte aligned (no RVC)
  | 'entry-not-executable' // entry outside every executable segment
  | 'no-load-segment'; // nothing to load

export class ElfError extends InputError {
  override name = 'ElfError';
  readonly code: ElfErrorCode;

  constructor(code: ElfErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
