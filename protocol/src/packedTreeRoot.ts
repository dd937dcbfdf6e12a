// The root of a records tree (recordsTree.ts: leaves padded with zero leaves to the next
// power of two, parent = keccak256(left || right)) from its leaves packed back to back,
// computed level by level with one keccak256Each call per level. It is the same root as
// recordsRoot's, without a Uint8Array and a WASM call per node, and the padding is not
// hashed node by node: a level's nodes past the last leaf's are all the root of as many
// zero leaves, hashed once per level (zeroSubtreeRoot). Only the root: proofs still come
// from recordsTree, which keeps every level.

import { keccak256, keccak256Each } from "@lcore/wasm-core";

/** zeroRoots[d] = the root of 2^d zero leaves. */
const zeroRoots: Uint8Array[] = [new Uint8Array(32)];

function zeroSubtreeRoot(depth: number): Uint8Array {
  while (zeroRoots.length <= depth) {
    const z = zeroRoots[zeroRoots.length - 1]!;
    const pair = new Uint8Array(64);
    pair.set(z);
    pair.set(z, 32);
    zeroRoots.push(keccak256(pair));
  }
  return zeroRoots[depth]!;
}

/** The records tree root over `leaves`: count = leaves.length / 32 leaves of 32 bytes, count ≥ 1. */
export function packedTreeRoot(leaves: Uint8Array): Uint8Array {
  if (leaves.length === 0) throw new RangeError("a records tree has at least one leaf");
  if (leaves.length % 32 !== 0) throw new RangeError("packed leaves are 32 bytes each");
  let level = leaves;
  // The level's real nodes are its first `level.length / 32`; the rest are zero subtrees.
  for (let depth = 0; level.length > 32; depth++) {
    let pairs = level;
    if ((level.length / 32) % 2 === 1) {
      pairs = new Uint8Array(level.length + 32);
      pairs.set(level);
      pairs.set(zeroSubtreeRoot(depth), level.length);
    }
    level = keccak256Each(pairs, 64);
  }
  return level.slice();
}
