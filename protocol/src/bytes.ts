// Byte reading and writing for the codec: big-endian integers, fixed-size fields and
// bounds checks that end in a DecodeError (a stable reason code), never a RangeError.

import { DecodeError } from "./errors.js";

/** 2^63: 64-bit values the dApp stores must stay below it (SQLite INTEGER is signed). */
export const U63_LIMIT = 1n << 63n;
const U64_LIMIT = 1n << 64n;

export class ByteReader {
  private offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get position(): number {
    return this.offset;
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) {
      throw new DecodeError("truncated", `${what}: needs ${n} bytes at offset ${this.offset}, ${this.remaining} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const b = this.bytes;
    const v = (b[this.offset]! << 8) | b[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const v =
      ((b[this.offset]! << 24) | (b[this.offset + 1]! << 16) | (b[this.offset + 2]! << 8) | b[this.offset + 3]!) >>> 0;
    this.offset += 4;
    return v;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = readU64(this.bytes, this.offset);
    this.offset += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** The whole payload must be consumed: trailing bytes mean a malformed input. */
  end(what: string): void {
    if (this.remaining !== 0) {
      throw new DecodeError("trailing_bytes", `${what}: ${this.remaining} unexpected bytes at offset ${this.offset}`);
    }
  }
}

/** Appends fields into a buffer that grows by doubling. */
export class ByteWriter {
  private buf: Uint8Array;
  private length = 0;
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    this.length += n;
    return at;
  }

  u8(v: number): this {
    assertUint(v, 0xff, "u8");
    // room() first: it may replace this.buf, which `this.buf[this.room(1)]` would read before.
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }

  u16(v: number): this {
    assertUint(v, 0xffff, "u16");
    const at = this.room(2);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    assertUint(v, 0xffffffff, "u32");
    const at = this.room(4);
    writeU32(this.buf, at, v);
    return this;
  }

  u64(v: bigint): this {
    const at = this.room(8);
    writeU64(this.buf, at, v);
    return this;
  }

  bytes(b: Uint8Array, length?: number): this {
    if (length !== undefined && b.length !== length) {
      throw new RangeError(`expected ${length} bytes, got ${b.length}`);
    }
    this.buf.set(b, this.room(b.length));
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function assertUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
}

export function readU64(b: Uint8Array, at: number): bigint {
  const hi = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function writeU64(b: Uint8Array, at: number, v: bigint): void {
  if (typeof v !== "bigint" || v < 0n || v >= U64_LIMIT) throw new RangeError(`u64 out of range: ${String(v)}`);
  writeU32(b, at, Number(v >> 32n));
  writeU32(b, at + 4, Number(v & 0xffffffffn));
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

export function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, v);
  return b;
}

export function u32Bytes(v: number): Uint8Array {
  assertUint(v, 0xffffffff, "u32");
  const b = new Uint8Array(4);
  writeU32(b, 0, v);
  return b;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new RangeError("ascii() takes ASCII only");
    out[i] = c;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX = "0123456789abcdef";
const HEX_TABLE: string[] = [];
for (let i = 0; i < 256; i++) HEX_TABLE.push(HEX[i >> 4]! + HEX[i & 15]!);

/**
 * Node's Buffer where there is one (the gateway, the dApp, the CLI): native hex, about ten times
 * the loops below on a 64 KiB payload, which the gateway turns to hex and back several times per
 * input. The loops serve elsewhere (a browser), byte for byte the same.
 */
const NodeBuffer: typeof Buffer | undefined = (globalThis as { Buffer?: typeof Buffer }).Buffer;
/** Strings at least this long take the native path; below it the loops are as fast. */
const NATIVE_FROM = 256;
const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/** Lower-case 0x-prefixed hex. */
export function toHex(b: Uint8Array): `0x${string}` {
  if (NodeBuffer !== undefined && b.length >= NATIVE_FROM / 2)
    return `0x${NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`;
  let s = "0x";
  for (let i = 0; i < b.length; i++) s += HEX_TABLE[b[i]!]!;
  return s as `0x${string}`;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parse 0x-prefixed hex (either case); `null` if it is not well-formed. */
export function parseHex(s: string): Uint8Array | null {
  if (s.length < 2 || s.length % 2 !== 0 || s[0] !== "0" || (s[1] !== "x" && s[1] !== "X")) return null;
  if (NodeBuffer !== undefined && s.length >= NATIVE_FROM) {
    // Buffer.from stops quietly at the first non-hex digit: the pattern refuses those first.
    if (!HEX_DIGITS.test(s.slice(2))) return null;
    // A copy, not a view: a short Buffer is a slice of Node's shared pool.
    return new Uint8Array(NodeBuffer.from(s.slice(2), "hex"));
  }
  const out = new Uint8Array((s.length - 2) / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 + 2 * i));
    const lo = nibble(s.charCodeAt(3 + 2 * i));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Parse hex, throwing a RangeError: for arguments from code, not from inputs. */
export function fromHex(s: string): Uint8Array {
  const b = parseHex(s);
  if (b === null) throw new RangeError(`not 0x-prefixed hex: ${s.slice(0, 20)}`);
  return b;
}
