// Keccak-256 of many equal-length inputs in one call: a Merkle tree level (n pairs of
// 32-byte nodes) or a level of leaves (n preimages) costs one crossing of the WASM
// boundary and one copy each way, not n calls with an allocation per digest.

import { keccak256 } from "./keccak";

/**
 * Digest i (32 bytes, at out + 32·i) is Keccak-256 of the len bytes at p + len·i, for i < n.
 * out may equal p when len ≥ 32: input i is read before digest i is written, and digest i
 * only overwrites inputs before it.
 */
export function keccak256Each(p: usize, len: usize, n: usize, out: usize): void {
  for (let i: usize = 0; i < n; i++) keccak256(p + len * i, len, out + 32 * i);
}
