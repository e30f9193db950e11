// Parses and validates a static RISC-V ELF32 executable into the segments a node must map. It checks
// everything Atoll relies on (format, machine, no RVC, segments inside the user address space and the
// file, no overlap, an executable entry) and throws an ElfError naming the first rule broken. It maps
// nothing itself; segment data are views into the input bytes, not copies.
import { ElfError } from './errors.js';

export interface ElfSegment {
  vaddr: number;
  memsz: number;
  filesz: number;
  /** The segment's file bytes (filesz of them); the loader zero-fills from filesz to memsz. */
  data: Uint8Array;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  /**
   * Where the program header table is in the process's memory (the auxv's AT_PHDR, AT_PHENT, AT_PHNUM).
   * The address is the PT_LOAD segment holding e_phoff when one does, else the lowest PT_LOAD page plus
   * e_phoff, as qemu-user computes it. Absent for images built without a file (tests, the demo).
   */
  phdr?: { vaddr: number; count: number };
}

export interface ElfParseOptions {
  /** Lowest user virtual address a segment may use (default 0x1000: page 0 stays unmapped). */
  userBase?: number;
  /** One past the highest user virtual address (default 0x8000_0000). */
  userEnd?: number;
}

export const DEFAULT_USER_BASE = 0x1000;
export const DEFAULT_USER_END = 0x8000_0000;
/** The loader's bound on e_phnum (Linux caps the table at 64 KiB, i.e. 2048 entries; real programs use < 16). */
export const MAX_PROGRAM_HEADERS = 256;

const EHDR_BYTES = 52;
const PHDR_BYTES = 32;
const ELFCLASS32 = 1;
const ELFDATA2LSB = 1;
const ET_EXEC = 2;
const EM_RISCV = 243;
const EF_RISCV_RVC = 0x1;
const PT_LOAD = 1;
const PT_INTERP = 3;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

interface RawHeader {
  type: number;
  machine: number;
  entry: number;
  phoff: number;
  flags: number;
  ehsize: number;
  phentsize: number;
  phnum: number;
}

function checkIdent(bytes: Uint8Array): void {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    const seen = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ElfError('bad-magic', `not an ELF file: it starts with '${seen}', expected '7f 45 4c 46' (\\x7fELF)`);
  }
  if (bytes.length < EHDR_BYTES) {
    throw new ElfError('truncated', `truncated ELF file: ${bytes.length} bytes, shorter than the ${EHDR_BYTES}-byte ELF32 header`);
  }
  if (bytes[4] !== ELFCLASS32) {
    const what = bytes[4] === 2 ? 'a 64-bit (ELFCLASS64) file' : `ELF class ${bytes[4]}`;
    throw new ElfError('bad-class', `${what}: atoll runs 32-bit programs (ELFCLASS32, built for rv32)`);
  }
  if (bytes[5] !== ELFDATA2LSB) {
    const what = bytes[5] === 2 ? 'a big-endian file' : `data encoding ${bytes[5]}`;
    throw new ElfError('bad-endianness', `${what}: RISC-V programs are little-endian (ELFDATA2LSB)`);
  }
}

function readHeader(view: DataView): RawHeader {
  return {
    type: view.getUint16(16, true),
    machine: view.getUint16(18, true),
    entry: view.getUint32(24, true),
    phoff: view.getUint32(28, true),
    flags: view.getUint32(36, true),
    ehsize: view.getUint16(40, true),
    phentsize: view.getUint16(42, true),
    phnum: view.getUint16(44, true),
  };
}

function checkHeader(h: RawHeader, fileBytes: number): void {
  if (h.machine !== EM_RISCV) {
    throw new ElfError('bad-machine', `built for machine ${h.machine}, not RISC-V (e_machine ${EM_RISCV})`);
  }
  if (h.type !== ET_EXEC) {
    const what = h.type === 3 ? 'a shared object or position-independent executable (ET_DYN)' : h.type === 1 ? 'a relocatable object (ET_REL)' : `ELF type ${h.type}`;
    throw new ElfError('bad-type', `${what}: atoll runs static executables (ET_EXEC); link with -static and no -pie`);
  }
  if (h.flags & EF_RISCV_RVC) {
    throw new ElfError('rvc', `e_flags ${hex(h.flags)} has the RVC bit: compressed instructions are not supported; build with -march=rv32ima`);
  }
  if (h.ehsize < EHDR_BYTES) {
    throw new ElfError('bad-header-size', `e_ehsize is ${h.ehsize}, an ELF32 header is ${EHDR_BYTES} bytes`);
  }
  if (h.phnum > 0 && h.phentsize !== PHDR_BYTES) {
    throw new ElfError('bad-header-size', `e_phentsize is ${h.phentsize}, an ELF32 program header is ${PHDR_BYTES} bytes`);
  }
  if (h.phnum > MAX_PROGRAM_HEADERS) {
    throw new ElfError('too-many-program-headers', `${h.phnum} program headers, more than the limit of ${MAX_PROGRAM_HEADERS}`);
  }
  const tableEnd = h.phoff + h.phnum * PHDR_BYTES;
  if (h.phnum > 0 && tableEnd > fileBytes) {
    throw new ElfError('program-headers-outside-file', `the program header table (offset ${h.phoff}, ${h.phnum} entries) ends at byte ${tableEnd}, past the end of the ${fileBytes}-byte file`);
  }
}

/** AT_PHDR's value: see ElfImage.phdr. Reads only headers checkHeader has already bounded. */
function phdrAddress(view: DataView, h: RawHeader): number {
  let lowest = Infinity;
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_BYTES;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const vaddr = view.getUint32(at + 8, true);
    const filesz = view.getUint32(at + 16, true);
    if (offset <= h.phoff && h.phoff < offset + filesz) return (vaddr + (h.phoff - offset)) >>> 0;
    lowest = Math.min(lowest, vaddr - (vaddr % 4096));
  }
  return lowest === Infinity ? 0 : (lowest + h.phoff) >>> 0;
}

function readSegments(bytes: Uint8Array, view: DataView, h: RawHeader, userBase: number, userEnd: number): ElfSegment[] {
  const segments: ElfSegment[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_BYTES;
    const type = view.getUint32(at, true);
    if (type === PT_INTERP) {
      throw new ElfError('interpreter', `program header ${i} asks for a dynamic loader (PT_INTERP): atoll runs statically linked programs only`);
    }
    if (type !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const vaddr = view.getUint32(at + 8, true);
    const filesz = view.getUint32(at + 16, true);
    const memsz = view.getUint32(at + 20, true);
    const flags = view.getUint32(at + 24, true);
    const name = `PT_LOAD segment ${i} (vaddr ${hex(vaddr)}, memsz ${memsz})`;
    if (filesz > memsz) {
      throw new ElfError('filesz-exceeds-memsz', `${name}: p_filesz ${filesz} is larger than p_memsz ${memsz}`);
    }
    if (offset + filesz > bytes.length) {
      throw new ElfError('segment-outside-file', `${name}: its file bytes [${offset}, ${offset + filesz}) run past the end of the ${bytes.length}-byte file`);
    }
    if (memsz === 0) continue; // nothing to map
    if (vaddr < userBase || vaddr + memsz > userEnd) {
      throw new ElfError('segment-outside-user-space', `${name}: [${hex(vaddr)}, ${hex(vaddr + memsz)}) is outside the user address space [${hex(userBase)}, ${hex(userEnd)})`);
    }
    segments.push({
      vaddr, memsz, filesz,
      data: bytes.subarray(offset, offset + filesz),
      readable: (flags & PF_R) !== 0,
      writable: (flags & PF_W) !== 0,
      executable: (flags & PF_X) !== 0,
    });
  }
  return segments;
}

function checkNoOverlap(segments: readonly ElfSegment[]): void {
  const sorted = [...segments].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.vaddr < prev.vaddr + prev.memsz) {
      throw new ElfError('segments-overlap', `PT_LOAD segments [${hex(prev.vaddr)}, ${hex(prev.vaddr + prev.memsz)}) and [${hex(cur.vaddr)}, ${hex(cur.vaddr + cur.memsz)}) overlap`);
    }
  }
}

function checkEntry(entry: number, segments: readonly ElfSegment[]): void {
  if (entry % 4 !== 0) {
    throw new ElfError('entry-misaligned', `entry point ${hex(entry)} is not 4-byte aligned (compressed instructions are not supported)`);
  }
  const inside = segments.some((s) => s.executable && entry >= s.vaddr && entry < s.vaddr + s.memsz);
  if (!inside) {
    throw new ElfError('entry-not-executable', `entry point ${hex(entry)} is not inside an executable PT_LOAD segment`);
  }
}

/** Parse and validate a static RV32 executable. Throws ElfError (code + message) on the first violation. */
export function parseElf(bytes: Uint8Array, opts: ElfParseOptions = {}): ElfImage {
  const userBase = opts.userBase ?? DEFAULT_USER_BASE;
  const userEnd = opts.userEnd ?? DEFAULT_USER_END;
  if (!(Number.isInteger(userBase) && Number.isInteger(userEnd) && userBase >= 0 && userBase < userEnd && userEnd <= 2 ** 32)) {
    throw new RangeError(`parseElf: bad user address space [${userBase}, ${userEnd})`);
  }
  checkIdent(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(view);
  checkHeader(header, bytes.length);
  const segments = readSegments(bytes, view, header, userBase, userEnd);
  if (segments.length === 0) {
    throw new ElfError('no-load-segment', 'the program has no PT_LOAD segment with contents: nothing to run');
  }
  checkNoOverlap(segments);
  checkEntry(header.entry, segments);
  return { entry: header.entry, segments, phdr: { vaddr: phdrAddress(view, header), count: header.phnum } };
}
