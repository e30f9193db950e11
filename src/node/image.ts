// The shape of a loaded program the node maps: the contract of the ELF loader in src/elf (structurally the
// same types, so src/node does not depend on how the file was parsed).
export interface ElfSegment {
  vaddr: number;
  memsz: number;
  filesz: number;
  data: Uint8Array;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}
export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
}
