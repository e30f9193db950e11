// A minimal WebAssembly binary writer for the translator: LEB128 numbers, the few opcodes it emits and the
// one module shape it needs (a shared memory import, one mutable global, one function). No text format: the
// bytes are built directly (wabt would cost a parse on every compile).

export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f, call: 0x10,
  drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  i32_load: 0x28, i64_load: 0x29, i32_load8_s: 0x2c, i32_load8_u: 0x2d, i32_load16_s: 0x2e, i32_load16_u: 0x2f,
  i32_store: 0x36, i64_store: 0x37, i32_store8: 0x3a, i32_store16: 0x3b,
  i32_const: 0x41, i64_const: 0x42,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_mul: 0x7e, i64_add: 0x7c, i64_shr_u: 0x88, i64_shr_s: 0x87,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
} as const;

export const I32 = 0x7f;
export const I64 = 0x7e;
export const VOID = 0x40;

/** A growable byte buffer with the encodings the code section needs. */
export class Bytes {
  private buf = new Uint8Array(4096);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) this.grow();
    this.buf[this.length++] = b;
    return this;
  }
  bytes(bs: ArrayLike<number>): this {
    if (bs instanceof Uint8Array) {
      while (this.length + bs.length > this.buf.length) this.grow();
      this.buf.set(bs, this.length);
      this.length += bs.length;
      return this;
    }
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
    return this;
  }
  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
  u32(v: number): this {
    let x = v >>> 0;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.byte(b);
    } while (x !== 0);
    return this;
  }
  s32(v: number): this {
    let x = v | 0;
    while (true) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) { this.byte(b); return this; }
      this.byte(b | 0x80);
    }
  }
  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }
  out(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function section(m: Bytes, id: number, body: Bytes): void {
  m.byte(id).u32(body.length).bytes(body.out());
}

/**
 * The module: imports env.memory (shared, `pages` pages) and env.fill (i32 x4 -> i32, function 0), exports
 * function "run" (params i32 x params, result i32; function 1) with the given locals and body (without the
 * final end), and the mutable i32 global "why".
 */
export function moduleBytes(pages: number, params: number, locals: readonly [number, number][], body: Bytes): Uint8Array<ArrayBuffer> {
  const m = new Bytes();
  m.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes().u32(2).byte(0x60).u32(params);
  for (let i = 0; i < params; i++) types.byte(I32);
  types.u32(1).byte(I32);
  types.byte(0x60).u32(4).bytes([I32, I32, I32, I32]).u32(1).byte(I32);
  section(m, 1, types);
  const imports = new Bytes().u32(2);
  imports.name('env').name('memory').byte(0x02).byte(0x03).u32(pages).u32(pages);
  imports.name('env').name('fill').byte(0x00).u32(1);
  section(m, 2, imports);
  section(m, 3, new Bytes().u32(1).u32(0));
  section(m, 6, new Bytes().u32(1).byte(I32).byte(0x01).byte(OP.i32_const).s32(0).byte(OP.end));
  section(m, 7, new Bytes().u32(2).name('run').byte(0x00).u32(1).name('why').byte(0x03).u32(0));
  const fn = new Bytes().u32(locals.length);
  for (const [count, type] of locals) fn.u32(count).byte(type);
  fn.bytes(body.out()).byte(OP.end);
  section(m, 10, new Bytes().u32(1).u32(fn.length).bytes(fn.out()));
  return new Uint8Array(m.out());
}
