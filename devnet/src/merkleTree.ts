// The outputs Merkle tree of Cartesi Rollups v2 (DESIGN §6): one tree of height 63 over every
// output since genesis, leaf keccak256(output), parent keccak256(left ‖ right), empty leaves
// bytes32(0). The Application recomputes the root from an output, its index and 63 siblings
// (bottom-up) and checks it against a claim the consensus accepted.
//
// Kept incrementally: each level stores its non-empty prefix in one growable buffer, so an
// append rehashes one path of ⌈log2 n⌉ nodes and the tree costs 64 bytes per output in memory.
// Levels above the top stored node are all-empty subtrees, folded in with precomputed hashes.

import { createKeccak } from "hash-wasm";
import { type Hex, bytesToHex, hexToBytes } from "./hex.js";

// hash-wasm's Keccak (WebAssembly), not viem's JavaScript one: an output is up to 64 KiB, viem's
// Keccak hashes ~13 MB/s here, and hashing outputs was 6 % of the node's CPU in the two-shard
// fleet bench. One hasher serves every call: each runs init → update → digest with no await.
const hasher = await createKeccak(256);

function keccak256(bytes: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(bytes);
  return hasher.digest("binary");
}

export const OUTPUTS_TREE_HEIGHT = 63;
const HASH_BYTES = 32;

function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const pair = new Uint8Array(2 * HASH_BYTES);
  pair.set(left, 0);
  pair.set(right, HASH_BYTES);
  return keccak256(pair);
}

/** ZERO_HASHES[k] is the root of an empty subtree of height k. */
export const ZERO_HASHES: readonly Uint8Array[] = (() => {
  const zeros: Uint8Array[] = [new Uint8Array(HASH_BYTES)];
  for (let k = 1; k <= OUTPUTS_TREE_HEIGHT; k++) zeros.push(hashPair(zeros[k - 1]!, zeros[k - 1]!));
  return zeros;
})();

/** keccak256 of an output, the tree's leaf. */
export function outputLeaf(output: Hex): Uint8Array {
  return keccak256(hexToBytes(output));
}

/** One level's nodes, 32 bytes each, in a buffer that doubles as it fills. */
class Level {
  private buffer = new Uint8Array(64 * HASH_BYTES);
  count = 0;

  get(index: number): Uint8Array {
    return this.buffer.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }

  set(index: number, node: Uint8Array): void {
    if (index === this.count) {
      if ((this.count + 1) * HASH_BYTES > this.buffer.length) {
        const grown = new Uint8Array(this.buffer.length * 2);
        grown.set(this.buffer);
        this.buffer = grown;
      }
      this.count++;
    }
    this.buffer.set(node, index * HASH_BYTES);
  }
}

export class OutputsMerkleTree {
  private readonly levels: Level[] = [new Level()];

  /** Number of leaves (outputs) appended so far. */
  get size(): number {
    return this.levels[0]!.count;
  }

  /** Append a leaf hash; returns its index. */
  append(leaf: Uint8Array): number {
    if (leaf.length !== HASH_BYTES) throw new RangeError("a leaf is a 32-byte hash");
    const index = this.size;
    if (index >= Number.MAX_SAFE_INTEGER) throw new RangeError("outputs tree is full");
    this.levels[0]!.set(index, leaf);
    let position = index;
    for (let k = 1; ; k++) {
      const below = this.levels[k - 1]!;
      if (below.count === 1) break; // level k-1 holds the single node covering every leaf
      if (this.levels.length === k) this.levels.push(new Level());
      position = Math.floor(position / 2);
      const left = below.get(2 * position);
      const right = 2 * position + 1 < below.count ? below.get(2 * position + 1) : ZERO_HASHES[k - 1]!;
      this.levels[k]!.set(position, hashPair(left, right));
    }
    return index;
  }

  /** The root of the height-63 tree over the leaves appended so far. */
  root(): Hex {
    if (this.size === 0) return bytesToHex(ZERO_HASHES[OUTPUTS_TREE_HEIGHT]!);
    const top = this.topLevel();
    let node = this.levels[top]!.get(0);
    for (let k = top; k < OUTPUTS_TREE_HEIGHT; k++) node = hashPair(node, ZERO_HASHES[k]!);
    return bytesToHex(node);
  }

  /** The 63 siblings (bottom-up) proving leaf `index` against the current root. */
  siblings(index: number): Hex[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new RangeError(`no output ${index} in the tree`);
    const siblings: Hex[] = [];
    for (let k = 0; k < OUTPUTS_TREE_HEIGHT; k++) {
      const node = Math.floor(index / 2 ** k);
      const sibling = node % 2 === 0 ? node + 1 : node - 1;
      const level = this.levels[k];
      siblings.push(bytesToHex(level && sibling < level.count ? level.get(sibling) : ZERO_HASHES[k]!));
    }
    return siblings;
  }

  private topLevel(): number {
    let k = 0;
    while (this.levels[k]!.count > 1) k++;
    return k;
  }
}

/** Recompute a root from a leaf, its index and its siblings, as LibOutputValidityProof does. */
export function rootFromSiblings(leaf: Uint8Array, index: number, siblings: readonly Hex[]): Hex {
  let node = leaf;
  let position = BigInt(index);
  for (const sibling of siblings) {
    const s = hexToBytes(sibling);
    node = position & 1n ? hashPair(s, node) : hashPair(node, s);
    position >>= 1n;
  }
  return bytesToHex(node);
}
