// The submitter allow-list (PROTOCOL §3.6; tables in state/schema.ts): per owner, the
// accounts besides itself whose record batches may carry its devices' records. At most
// MAX_SUBMITTERS_PER_OWNER rows per owner, so the per-record check is one indexed lookup.
//
// The list has a Merkle tree (state/tableTrees.ts, PROTOCOL §5): a grant takes the next
// slot, leaf = keccak256(owner(20) || submitter(20) || grantedInput(u64)); a revoke empties
// it (a later grant of the same account takes a new slot). So a grant or revoke costs one
// tree path, O(depth), however many owners grant (it refolded every grant, O(grants)).
//   submittersHash = keccak256("lcore/v2/submitters" || root || leaves(u64))
// It is kept in the one-row `submitters_state` table, which exists from the first grant on,
// and the state hash folds it in then (state/stateHash.ts), so a state without grants hashes as before.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter, ascii } from "@lcore/protocol/bytes";
import { TABLE_TREE_MAX_LEAVES, tableTreeRoot } from "@lcore/protocol/tableTree";
import { Rejection } from "../context/rejection.js";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";
import { SUBMITTERS_TREE, allocateLeaf, setLeaf, treeLeaves, treeRoot } from "../state/tableTrees.js";

const SUBMITTERS_TAG = ascii("lcore/v2/submitters");
const EMPTY_LEAF = new Uint8Array(32);

export interface SubmitterRow {
  owner: Uint8Array;
  submitter: Uint8Array;
  grantedInput: bigint;
}

export function isAllowed(store: Store, owner: Uint8Array, submitter: Uint8Array): boolean {
  return store.sql.one("SELECT 1 FROM submitters WHERE owner = ? AND submitter = ?", [owner, submitter]) !== null;
}

export function submitterCount(store: Store, owner: Uint8Array): number {
  return Number(store.sql.one("SELECT count(*) FROM submitters WHERE owner = ?", [owner])![0] as bigint);
}

/** The owner's allowed submitters, by address. */
export function submittersOf(store: Store, owner: Uint8Array): SubmitterRow[] {
  const rows: SubmitterRow[] = [];
  store.sql.all(
    "SELECT owner, submitter, granted_input FROM submitters WHERE owner = ? ORDER BY submitter",
    [owner],
    (v) => {
      rows.push({ owner: v[0] as Uint8Array, submitter: v[1] as Uint8Array, grantedInput: v[2] as bigint });
    },
  );
  return rows;
}

/** A grant's leaf in the submitters tree. */
export function grantLeaf(r: SubmitterRow): Uint8Array {
  return keccak256(new ByteWriter(48).bytes(r.owner, 20).bytes(r.submitter, 20).u64(r.grantedInput).finish());
}

export function grantSubmitter(store: Store, r: SubmitterRow): void {
  const slot = allocateLeaf(store, SUBMITTERS_TREE);
  if (slot === null)
    throw new Rejection("state_tree_full", `the submitters tree has handed out all ${TABLE_TREE_MAX_LEAVES} slots`);
  store.sql.run("INSERT INTO submitters (owner, submitter, granted_input, leaf) VALUES (?, ?, ?, ?)", [
    r.owner,
    r.submitter,
    int(r.grantedInput),
    int(BigInt(slot)),
  ]);
  setLeaf(store, SUBMITTERS_TREE, slot, grantLeaf(r));
  refreshHash(store);
}

export function revokeSubmitter(store: Store, owner: Uint8Array, submitter: Uint8Array): void {
  const v = store.sql.one("SELECT leaf FROM submitters WHERE owner = ? AND submitter = ?", [owner, submitter]);
  if (v === null) return;
  store.sql.run("DELETE FROM submitters WHERE owner = ? AND submitter = ?", [owner, submitter]);
  setLeaf(store, SUBMITTERS_TREE, Number(v[0] as bigint), EMPTY_LEAF);
  refreshHash(store);
}

/** The stored hash, or null before the first grant. */
export function submittersHash(store: Store): Uint8Array | null {
  const v = store.sql.one("SELECT hash FROM submitters_state WHERE id = 1", []);
  return v === null ? null : (v[0] as Uint8Array);
}

function submittersHashOf(root: Uint8Array, leaves: number): Uint8Array {
  return keccak256(new ByteWriter(59).bytes(SUBMITTERS_TAG).bytes(root, 32).u64(BigInt(leaves)).finish());
}

/** The hash with the tree rebuilt from the table's rows (O(grants × depth)): what refreshHash stores (tests compare the two). */
export function recomputeSubmittersHash(store: Store): Uint8Array | null {
  const leaves = treeLeaves(store, SUBMITTERS_TREE);
  if (leaves === 0) return null;
  const rows: [number, Uint8Array][] = [];
  store.sql.all("SELECT owner, submitter, granted_input, leaf FROM submitters ORDER BY leaf", [], (v) => {
    const r = { owner: v[0] as Uint8Array, submitter: v[1] as Uint8Array, grantedInput: v[2] as bigint };
    rows.push([Number(v[3] as bigint), grantLeaf(r)]);
  });
  return submittersHashOf(tableTreeRoot(rows), leaves);
}

/** Store the hash from the tree's root and leaf count, O(1). */
function refreshHash(store: Store): void {
  const leaves = treeLeaves(store, SUBMITTERS_TREE);
  if (leaves === 0) store.sql.run("DELETE FROM submitters_state", []);
  else
    store.sql.run("INSERT OR REPLACE INTO submitters_state (id, hash) VALUES (1, ?)", [
      submittersHashOf(treeRoot(store, SUBMITTERS_TREE), leaves),
    ]);
}
