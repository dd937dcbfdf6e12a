// Memory layout shared with the TypeScript wrapper (src/instance.ts).
//
// Nothing here allocates: the module is built with the stub runtime and every
// primitive works on static state areas (memory.data) or on the I/O region,
// which starts at the first 64-byte boundary after the static data and which
// the wrapper grows with memory.grow when an input needs more room. Memory
// therefore never grows under repeated calls of the same size.

/** Start of the I/O region the wrapper copies inputs into and reads outputs from. */
export function ioBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** Load a big-endian u32. */
// @ts-ignore: decorator
@inline export function loadBe32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/** Store a big-endian u32. */
// @ts-ignore: decorator
@inline export function storeBe32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/** Store a big-endian u64. */
// @ts-ignore: decorator
@inline export function storeBe64(p: usize, v: u64): void {
  store<u64>(p, bswap<u64>(v));
}

/** Constant-time equality of two n-byte areas: 1 if equal, 0 otherwise. */
export function ctEqual(a: usize, b: usize, n: usize): u32 {
  let diff: u32 = 0;
  for (let i: usize = 0; i < n; i++) {
    diff |= <u32>load<u8>(a + i) ^ <u32>load<u8>(b + i);
  }
  // (diff - 1) >> 31 is 1 only when diff == 0; no data-dependent branch.
  return ((diff - 1) >>> 31) & 1;
}

/** Overwrite n bytes with zeros (wipes derived keys and intermediate state). */
export function wipe(p: usize, n: usize): void {
  memory.fill(p, 0, n);
}
