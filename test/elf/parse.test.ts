// The ELF loader accepts the committed guest programs as built and rejects each kind of malformed
// file with its own error code. Malformed files are made by mutating a real committed ELF.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ElfError, parseElf } from '../../src/elf/index.js';
import type { ElfErrorCode } from '../../src/elf/index.js';
import { InputError } from '../../src/base/index.js';

const guest = (rel: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../guest/${rel}`, import.meta.url))));

// compute.elf: an R-X text segment and an RW- segment that is all bss.
const COMPUTE = guest('examples/compute.elf');

interface Phdr { at: number; type: number; offset: number; vaddr: number; filesz: number; memsz: number; flags: number }

function phdrs(bytes: Uint8Array): Phdr[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = v.getUint32(28, true);
  const out: Phdr[] = [];
  for (let i = 0; i < v.getUint16(44, true); i++) {
    const at = phoff + i * 32;
    out.push({
      at, type: v.getUint32(at, true), offset: v.getUint32(at + 4, true), vaddr: v.getUint32(at + 8, true),
      filesz: v.getUint32(at + 16, true), memsz: v.getUint32(at + 20, true), flags: v.getUint32(at + 24, true),
    });
  }
  return out;
}

/** A copy of `base` with edits applied through a little-endian DataView. */
function mutate(edit: (v: DataView, bytes: Uint8Array) => void, base: Uint8Array = COMPUTE): Uint8Array {
  const copy = new Uint8Array(base);
  edit(new DataView(copy.buffer), copy);
  return copy;
}

function codeOf(bytes: Uint8Array, opts?: { userBase?: number; userEnd?: number }): ElfErrorCode | 'accepted' {
  try {
    parseElf(bytes, opts);
    return 'accepted';
  } catch (err) {
    if (err instanceof ElfError) return err.code;
    throw err;
  }
}

const loads = (): Phdr[] => phdrs(COMPUTE).filter((p) => p.type === 1);

describe('parseElf accepts real guest programs', () => {
  it('returns the entry and both PT_LOAD segments of compute.elf with their permissions', () => {
    const image = parseElf(COMPUTE);
    expect(image.entry).toBe(0x10000);
    expect(image.segments).toHaveLength(2);
    const [text, data] = image.segments;
    expect(text).toMatchObject({ vaddr: 0x10000, readable: true, writable: false, executable: true });
    expect(text!.filesz).toBe(text!.memsz);
    expect(text!.data.length).toBe(text!.filesz);
    expect(data).toMatchObject({ readable: true, writable: true, executable: false });
    expect(data!.vaddr % 4096).toBe(0);
    expect(data!.memsz).toBeGreaterThan(200_000); // the sieve's bss
  });

  it('segment data are the file bytes at p_offset (the first instruction of _start is at the entry)', () => {
    const image = parseElf(COMPUTE);
    const text = image.segments[0]!;
    const ph = loads()[0]!;
    expect(Array.from(text.data.subarray(0, 16))).toEqual(Array.from(COMPUTE.subarray(ph.offset, ph.offset + 16)));
    // _start begins with auipc gp (opcode 0x17, rd = 3)
    const first = new DataView(text.data.buffer, text.data.byteOffset).getUint32(0, true);
    expect(first & 0xfff).toBe(0x197);
  });

  it('keeps a writable and executable segment as RWX (the self-modifying code test)', () => {
    const image = parseElf(guest('tests/fencei.elf'));
    expect(image.segments.some((s) => s.readable && s.writable && s.executable)).toBe(true);
  });

  it('accepts lld\'s default layout: headers in a read-only segment, segments not page-aligned', () => {
    const image = parseElf(guest('tests/lld_layout.elf'));
    expect(image.segments.map((s) => `${s.readable ? 'r' : '-'}${s.writable ? 'w' : '-'}${s.executable ? 'x' : '-'}`))
      .toEqual(['r--', 'r-x', 'rw-']);
    const text = image.segments[1]!;
    expect(text.vaddr % 4096).not.toBe(0);
    expect(image.entry).toBeGreaterThanOrEqual(text.vaddr);
    expect(image.segments[2]!.memsz).toBeGreaterThan(image.segments[2]!.filesz); // bss after data
  });

  it('accepts every committed guest program', () => {
    for (const name of ['examples/hello.elf', 'examples/memory.elf', 'examples/fault.elf']) {
      expect(codeOf(guest(name)), name).toBe('accepted');
    }
  });

  it('reads an ELF that sits at an offset inside a larger buffer (as Node\'s pooled Buffers do)', () => {
    const big = new Uint8Array(COMPUTE.length + 13);
    big.set(COMPUTE, 13);
    const image = parseElf(big.subarray(13));
    expect(image.entry).toBe(parseElf(COMPUTE).entry);
    expect(Array.from(image.segments[0]!.data.subarray(0, 8))).toEqual(Array.from(parseElf(COMPUTE).segments[0]!.data.subarray(0, 8)));
  });

  it('an ElfError is an InputError with a message naming the problem', () => {
    let caught: unknown;
    try { parseElf(mutate((v) => v.setUint16(18, 62, true))); } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toMatch(/machine 62, not RISC-V/);
  });
});

describe('parseElf rejects each malformed file with its own code', () => {
  it('bad-magic: not starting with \\x7fELF', () => {
    expect(codeOf(mutate((_v, b) => { b[1] = 0x45 + 1; }))).toBe('bad-magic');
    expect(codeOf(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBe('bad-magic');
    expect(codeOf(new Uint8Array(0))).toBe('bad-magic');
  });

  it('truncated: shorter than the ELF header', () => {
    expect(codeOf(COMPUTE.slice(0, 40))).toBe('truncated');
  });

  it('bad-class: a 64-bit ELF', () => {
    expect(codeOf(mutate((_v, b) => { b[4] = 2; }))).toBe('bad-class');
  });

  it('bad-endianness: big-endian', () => {
    expect(codeOf(mutate((_v, b) => { b[5] = 2; }))).toBe('bad-endianness');
  });

  it('bad-machine: built for x86-64', () => {
    expect(codeOf(mutate((v) => v.setUint16(18, 62, true)))).toBe('bad-machine');
  });

  it('bad-type: relocatable object and position-independent executable', () => {
    expect(codeOf(mutate((v) => v.setUint16(16, 1, true)))).toBe('bad-type');
    expect(codeOf(mutate((v) => v.setUint16(16, 3, true)))).toBe('bad-type');
  });

  it('rvc: the compressed-instruction flag in e_flags', () => {
    expect(codeOf(mutate((v) => v.setUint32(36, v.getUint32(36, true) | 1, true)))).toBe('rvc');
  });

  it('bad-header-size: wrong e_ehsize or e_phentsize', () => {
    expect(codeOf(mutate((v) => v.setUint16(40, 40, true)))).toBe('bad-header-size');
    expect(codeOf(mutate((v) => v.setUint16(42, 56, true)))).toBe('bad-header-size');
  });

  it('too-many-program-headers: e_phnum beyond the bound', () => {
    expect(codeOf(mutate((v) => v.setUint16(44, 0xffff, true)))).toBe('too-many-program-headers');
  });

  it('program-headers-outside-file: the table runs past the end', () => {
    expect(codeOf(mutate((v, b) => v.setUint32(28, b.length - 16, true)))).toBe('program-headers-outside-file');
    const phoff = new DataView(COMPUTE.buffer, COMPUTE.byteOffset).getUint32(28, true);
    expect(codeOf(COMPUTE.slice(0, phoff + 40))).toBe('program-headers-outside-file');
  });

  it('interpreter: a PT_INTERP header (a dynamically linked program)', () => {
    const data = loads()[1]!;
    expect(codeOf(mutate((v) => v.setUint32(data.at, 3, true)))).toBe('interpreter');
  });

  it('segment-outside-user-space: below userBase, above userEnd, or wrapping', () => {
    const text = loads()[0]!;
    expect(codeOf(mutate((v) => v.setUint32(text.at + 8, 0x0, true)))).toBe('segment-outside-user-space');
    expect(codeOf(mutate((v) => v.setUint32(text.at + 8, 0x7fff_f000, true)))).toBe('segment-outside-user-space');
    expect(codeOf(mutate((v) => v.setUint32(text.at + 8, 0xffff_f000, true)))).toBe('segment-outside-user-space');
    expect(codeOf(COMPUTE, { userEnd: 0x11000 })).toBe('segment-outside-user-space');
    expect(codeOf(COMPUTE, { userBase: 0x20000 })).toBe('segment-outside-user-space');
  });

  it('segments-overlap: the data segment moved onto the text', () => {
    const data = loads()[1]!;
    expect(codeOf(mutate((v) => v.setUint32(data.at + 8, 0x10800, true)))).toBe('segments-overlap');
  });

  it('filesz-exceeds-memsz', () => {
    const text = loads()[0]!;
    expect(codeOf(mutate((v) => v.setUint32(text.at + 20, text.filesz - 4, true)))).toBe('filesz-exceeds-memsz');
  });

  it('segment-outside-file: file bytes past the end of the file', () => {
    const text = loads()[0]!;
    expect(codeOf(mutate((v, b) => v.setUint32(text.at + 4, b.length - 8, true)))).toBe('segment-outside-file');
    expect(codeOf(COMPUTE.slice(0, text.offset + text.filesz - 1))).toBe('segment-outside-file');
  });

  it('entry-misaligned: an entry point not on a 4-byte boundary', () => {
    expect(codeOf(mutate((v) => v.setUint32(24, 0x10002, true)))).toBe('entry-misaligned');
  });

  it('entry-not-executable: entry in the data segment or in no segment', () => {
    const data = loads()[1]!;
    expect(codeOf(mutate((v) => v.setUint32(24, data.vaddr, true)))).toBe('entry-not-executable');
    expect(codeOf(mutate((v) => v.setUint32(24, 0x4000_0000, true)))).toBe('entry-not-executable');
    const text = loads()[0]!;
    expect(codeOf(mutate((v) => v.setUint32(text.at + 24, 4 | 2, true)))).toBe('entry-not-executable'); // text made RW-
  });

  it('no-load-segment: no PT_LOAD at all, or none with contents', () => {
    const noLoads = mutate((v) => { for (const p of loads()) v.setUint32(p.at, 6 /* PT_PHDR */, true); });
    expect(codeOf(noLoads)).toBe('no-load-segment');
    expect(codeOf(mutate((v) => v.setUint16(44, 0, true)))).toBe('no-load-segment');
  });
});

describe('ElfError messages', () => {
  it('are one line that names the rule broken and the value found', () => {
    const text = loads()[0]!;
    const cases: Array<[Uint8Array, RegExp]> = [
      [COMPUTE.slice(0, 40), /truncated.*40 bytes/],
      [mutate((_v, b) => { b[4] = 2; }), /64-bit/],
      [mutate((v) => v.setUint16(16, 3, true)), /ET_DYN/],
      [mutate((v) => v.setUint32(36, 1, true)), /RVC|compressed/],
      [mutate((v) => v.setUint32(text.at + 20, text.filesz - 4, true)), /p_filesz \d+ is larger than p_memsz/],
      [mutate((v) => v.setUint32(24, 0x4000_0000, true)), /entry point 0x40000000/],
    ];
    for (const [bytes, pattern] of cases) {
      let message = '';
      try { parseElf(bytes); } catch (err) { message = (err as Error).message; }
      expect(message).toMatch(pattern);
      expect(message).not.toMatch(/\n/);
    }
  });
});
