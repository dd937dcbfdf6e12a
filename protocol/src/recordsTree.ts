// The records tree of a settlement period, exactly as LcoreSettlement.verifyRecord
// checks it: the leaves are the period's record hashes (recordHash = keccak256 of the
// record's wire encoding, the hash the batch notice lists) in acceptance order, padded
// with zero leaves to the next power of two; a parent is keccak256(left || right); a
// proof lists the siblings bottom-up and has exactly ceil(log2(count)) entries (none for
// a single record, whose root is the record hash itself).

import { keccak256 } from "@lcore/wasm-core";

const ZERO = new Uint8Array(32);

function parent(left: Uint8Array, right: Uint8Array): Uint8Array {
  const b = new Uint8Array(64);
  b.set(left);
  b.set(right, 32);
  return keccak256(b);
}

/** Number of levels above the leaves: ceil(log2(count)), 0 for one leaf. */
export function treeDepth(count: number): number {
  let d = 0;
  while (1 << d < count) d++;
  return d;
}

function checkLeaves(leaves: readonly Uint8Array[]): void {
  if (leaves.length === 0) throw new RangeError("a records tree has at least one leaf");
  for (const l of leaves) if (l.length !== 32) throw new RangeError("a leaf is 32 bytes");
}

/** Every level bottom-up: levels[0] = padded leaves, the last level = [root]. */
function levels(leaves: readonly Uint8Array[]): Uint8Array[][] {
  checkLeaves(leaves);
  const width = 1 << treeDepth(leaves.length);
  let level: Uint8Array[] = [];
  for (let i = 0; i < width; i++) level.push(i < leaves.length ? leaves[i]! : ZERO);
  const out = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(parent(level[i]!, level[i + 1]!));
    out.push(next);
    level = next;
  }
  return out;
}

/** The root over the record hashes in acceptance order. */
export function recordsRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const ls = levels(leaves);
  return ls[ls.length - 1]![0]!.slice();
}

/** The siblings of leaf `index`, bottom-up: what verifyRecord takes as `proof`. */
export function recordsProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  return recordsTree(leaves).proof(index);
}

/** A built tree: its root and any leaf's proof without rebuilding (a reader serving many proofs of one period). */
export interface RecordsTree {
  root: Uint8Array;
  count: number;
  proof(index: number): Uint8Array[];
}

export function recordsTree(leaves: readonly Uint8Array[]): RecordsTree {
  const ls = levels(leaves);
  return {
    root: ls[ls.length - 1]![0]!.slice(),
    count: leaves.length,
    proof(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length)
        throw new RangeError(`index ${index} outside 0..${leaves.length - 1}`);
      const proof: Uint8Array[] = [];
      let i = index;
      for (let d = 0; d < ls.length - 1; d++) {
        proof.push(ls[d]![i ^ 1]!.slice());
        i >>= 1;
      }
      return proof;
    },
  };
}

/** The check verifyRecord makes, off chain (count = the period's record count). */
export function verifyRecordsProof(
  root: Uint8Array,
  count: number,
  leaf: Uint8Array,
  index: number,
  proof: readonly Uint8Array[],
): boolean {
  if (count < 1 || index < 0 || index >= count || proof.length !== treeDepth(count)) return false;
  let h = leaf;
  let i = index;
  for (const s of proof) {
    h = (i & 1) === 0 ? parent(h, s) : parent(s, h);
    i >>= 1;
  }
  if (h.length !== root.length) return false;
  for (let k = 0; k < h.length; k++) if (h[k] !== root[k]) return false;
  return true;
}
