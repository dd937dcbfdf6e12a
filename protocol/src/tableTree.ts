// The fixed-depth Merkle tree the dApp keeps over each of its balances, bounties and
// submitters tables (PROTOCOL §5, §8.5): 2^32 leaf slots, a parent is keccak256(left ||
// right) as in the records tree (recordsTree.ts), an empty slot is 32 zero bytes, so an empty
// subtree of height k has the root zeroNode(k). A table row owns one slot for its life and
// its leaf is keccak256 of the row's encoding; updating a row rehashes one path, O(depth),
// whatever the table's size (the dApp keeps the nodes in its state, state/tableTrees.ts).
// tableTreeRoot recomputes a root from the leaves alone, for checks and for third parties.

import { keccak256 } from "@lcore/wasm-core";

/** Levels above the leaves; the root is the one node of level TABLE_TREE_DEPTH. */
export const TABLE_TREE_DEPTH = 32;
/** Leaf slots of a tree: slots are never reused, so at most this many rows are ever created in one table. */
export const TABLE_TREE_MAX_LEAVES = 2 ** TABLE_TREE_DEPTH;

export function tableTreeParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  const b = new Uint8Array(64);
  b.set(left);
  b.set(right, 32);
  return keccak256(b);
}

const zeros: Uint8Array[] = [new Uint8Array(32)];
for (let k = 1; k <= TABLE_TREE_DEPTH; k++) zeros.push(tableTreeParent(zeros[k - 1]!, zeros[k - 1]!));

/** The root of a subtree of height `level` whose slots are all empty (level 0: the empty leaf, 32 zero bytes). */
export function zeroNode(level: number): Uint8Array {
  const z = zeros[level];
  if (z === undefined) throw new RangeError(`level ${level} outside 0..${TABLE_TREE_DEPTH}`);
  return z;
}

/** The root over `leaves` (slot → leaf; every other slot empty), recomputed level by level: O(leaves × depth). */
export function tableTreeRoot(leaves: Iterable<readonly [number, Uint8Array]>): Uint8Array {
  let level = new Map<number, Uint8Array>();
  for (const [index, leaf] of leaves) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= TABLE_TREE_MAX_LEAVES)
      throw new RangeError(`leaf index ${index}`);
    if (leaf.length !== 32) throw new RangeError("a leaf is 32 bytes");
    if (level.has(index)) throw new RangeError(`leaf index ${index} twice`);
    level.set(index, leaf);
  }
  for (let k = 0; k < TABLE_TREE_DEPTH; k++) {
    const up = new Map<number, Uint8Array>();
    for (const index of level.keys()) {
      const at = index - (index % 2);
      if (up.has(at / 2)) continue;
      up.set(at / 2, tableTreeParent(level.get(at) ?? zeros[k]!, level.get(at + 1) ?? zeros[k]!));
    }
    level = up;
  }
  return level.get(0) ?? zeros[TABLE_TREE_DEPTH]!;
}
