// The Merkle trees over the balances, bounties and submitters tables (protocol/tableTree.ts,
// PROTOCOL §5, §8.5), kept in the state so that changing a row costs one path: at most
// TABLE_TREE_DEPTH + 1 node writes, TABLE_TREE_DEPTH sibling reads and TABLE_TREE_DEPTH
// Keccaks, whatever the table's size (the folds they replace reread the whole table).
//
// table_tree_nodes holds every node that differs from the empty subtree of its height
// (zeroNode), the root included (level TABLE_TREE_DEPTH, index 0); a node equal to it is
// deleted, so the table is a function of the leaves alone. table_trees holds each tree's
// leaf count: slots handed out so far, in creation order, never reused. Both live in the
// advance's savepoint like every table, so a rejected input leaves them as they were, and
// nothing is cached outside SQLite.

import { TABLE_TREE_DEPTH, TABLE_TREE_MAX_LEAVES, tableTreeParent, zeroNode } from "@lcore/protocol/tableTree";
import { int } from "./statements.js";
import type { Store } from "./store.js";

/** Tree ids in table_trees and table_tree_nodes. */
export const BALANCES_TREE = 1;
export const BOUNTIES_TREE = 2;
export const SUBMITTERS_TREE = 3;

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function node(store: Store, tree: number, level: number, index: number): Uint8Array {
  const v = store.sql.one("SELECT hash FROM table_tree_nodes WHERE tree = ? AND level = ? AND idx = ?", [
    tree,
    level,
    int(BigInt(index)),
  ]);
  return v === null ? zeroNode(level) : (v[0] as Uint8Array);
}

function putNode(store: Store, tree: number, level: number, index: number, hash: Uint8Array): void {
  const key = [tree, level, int(BigInt(index))];
  if (equal32(hash, zeroNode(level)))
    store.sql.run("DELETE FROM table_tree_nodes WHERE tree = ? AND level = ? AND idx = ?", key);
  else
    store.sql.run("INSERT OR REPLACE INTO table_tree_nodes (tree, level, idx, hash) VALUES (?, ?, ?, ?)", [
      ...key,
      hash,
    ]);
}

/** Slots handed out so far in `tree`. */
export function treeLeaves(store: Store, tree: number): number {
  const v = store.sql.one("SELECT leaves FROM table_trees WHERE tree = ?", [tree]);
  return v === null ? 0 : Number(v[0] as bigint);
}

/** The tree's root: zeroNode(TABLE_TREE_DEPTH) while every slot is empty. */
export function treeRoot(store: Store, tree: number): Uint8Array {
  return node(store, tree, TABLE_TREE_DEPTH, 0);
}

/** Hand out the next slot of `tree` (still empty), or null once all TABLE_TREE_MAX_LEAVES are taken. */
export function allocateLeaf(store: Store, tree: number): number | null {
  const index = treeLeaves(store, tree);
  if (index >= TABLE_TREE_MAX_LEAVES) return null;
  store.sql.run("INSERT OR REPLACE INTO table_trees (tree, leaves) VALUES (?, ?)", [tree, int(BigInt(index + 1))]);
  return index;
}

/** Set slot `index` of `tree` to `leaf` (32 zero bytes empties it) and rehash its path to the root. */
export function setLeaf(store: Store, tree: number, index: number, leaf: Uint8Array): void {
  const leaves = treeLeaves(store, tree);
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves)
    throw new RangeError(`slot ${index} of tree ${tree} was not handed out`);
  if (leaf.length !== 32) throw new RangeError("a leaf is 32 bytes");
  let h = leaf;
  let i = index;
  for (let level = 0; level < TABLE_TREE_DEPTH; level++) {
    putNode(store, tree, level, i, h);
    const odd = i % 2 === 1;
    const s = odd ? i - 1 : i + 1;
    // A sibling whose first slot was never handed out is empty: no read.
    const sibling = s * 2 ** level >= leaves ? zeroNode(level) : node(store, tree, level, s);
    h = odd ? tableTreeParent(sibling, h) : tableTreeParent(h, sibling);
    i = (i - (i % 2)) / 2;
  }
  putNode(store, tree, TABLE_TREE_DEPTH, 0, h);
}
