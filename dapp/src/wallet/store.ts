// Every statement on the wallet's and the bounties' tables (state/schema.ts): a bounty's
// amount is funds the wallet holds, and one hash covers both tables. Amounts are uint256
// stored as 32-byte big-endian BLOBs (exact; never REAL); a balance that reaches zero is
// deleted, so the tables hold only what is owned.
//
// Each table has a Merkle tree (state/tableTrees.ts, PROTOCOL §5.1, §8.5) whose root the wallet
// hash covers, so an input that changes k rows costs k tree paths, O(depth), not a refold:
//   balance row: a slot at its creation (first credit, or first after reaching zero), emptied
//                when it reaches zero; leaf = keccak256(owner(20) || asset(20) || amount(32))
//   bounty:      slot id − 1; leaf = keccak256(bountyRowBytes)
//   walletHash = keccak256("lcore/v2/wallet" || balancesRoot || balancesLeaves(u64) || bountiesRoot || bountiesLeaves(u64))
// It is kept in the one-row `wallet` table, which exists from the first slot handed out
// in either tree on; the state hash folds it in then (state/stateHash.ts).

import { keccak256 } from "@lcore/wasm-core";
import { type Value, int } from "../state/statements.js";
import type { Store } from "../state/store.js";
import { BALANCES_TREE, BOUNTIES_TREE, allocateLeaf, setLeaf, treeLeaves, treeRoot } from "../state/tableTrees.js";
import { Rejection } from "../context/rejection.js";
import { ByteWriter, ascii } from "@lcore/protocol/bytes";
import { TABLE_TREE_MAX_LEAVES, tableTreeRoot } from "@lcore/protocol/tableTree";
import { u256Bytes, u256FromBytes } from "@lcore/protocol/wallet";

export const BOUNTY_OPEN = 0;
export const BOUNTY_PAID = 1;
export const BOUNTY_REFUNDED = 2;

export interface BountyRow {
  id: bigint;
  requester: Uint8Array;
  asset: Uint8Array;
  amount: bigint;
  tier: number;
  elements: bigint[];
  target: bigint;
  deadline: bigint;
  status: number;
  solver: Uint8Array | null;
  openedInput: bigint;
  closedInput: bigint | null;
}

const WALLET_TAG = ascii("lcore/v2/wallet");
const EMPTY_LEAF = new Uint8Array(32);
const U64 = 1n << 64n;
const I64_MAX = (1n << 63n) - 1n;
const BOUNTY_COLUMNS =
  "id, requester, asset, amount, tier, elements, target, deadline, status, solver, opened_input, closed_input";

function i64sToBytes(vs: bigint[]): Uint8Array {
  const w = new ByteWriter(8 * vs.length + 1);
  for (const v of vs) w.u64(v < 0n ? v + U64 : v);
  return w.finish();
}

function bytesToI64s(b: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let at = 0; at + 8 <= b.length; at += 8) {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[at + i]!);
    out.push(v > I64_MAX ? v - U64 : v);
  }
  return out;
}

function toBounty(v: Value[]): BountyRow {
  return {
    id: v[0] as bigint,
    requester: v[1] as Uint8Array,
    asset: v[2] as Uint8Array,
    amount: u256FromBytes(v[3] as Uint8Array),
    tier: Number(v[4] as bigint),
    elements: bytesToI64s(v[5] as Uint8Array),
    target: bytesToI64s(v[6] as Uint8Array)[0]!,
    deadline: v[7] as bigint,
    status: Number(v[8] as bigint),
    solver: v[9] as Uint8Array | null,
    openedInput: v[10] as bigint,
    closedInput: v[11] as bigint | null,
  };
}

/** id(u64) requester(20) asset(20) amount(32) tier(u8) count(u8) elements(i64 × count) target(i64) deadline(u64) status(u8) solver(20, zeros while open) openedInput(u64) closedInput(u64; 2^64 − 1 while open). */
export function bountyRowBytes(b: BountyRow): Uint8Array {
  const w = new ByteWriter(160 + 8 * b.elements.length)
    .u64(b.id)
    .bytes(b.requester, 20)
    .bytes(b.asset, 20)
    .bytes(u256Bytes(b.amount))
    .u8(b.tier)
    .u8(b.elements.length)
    .bytes(i64sToBytes(b.elements))
    .bytes(i64sToBytes([b.target]))
    .u64(b.deadline)
    .u8(b.status)
    .bytes(b.solver ?? new Uint8Array(20), 20)
    .u64(b.openedInput)
    .u64(b.closedInput ?? U64 - 1n);
  return w.finish();
}

// ---- Balances. ----

export function balance(store: Store, owner: Uint8Array, asset: Uint8Array): bigint {
  const v = store.sql.one("SELECT amount FROM balances WHERE owner = ? AND asset = ?", [owner, asset]);
  return v === null ? 0n : u256FromBytes(v[0] as Uint8Array);
}

/** A balance row's leaf in the balances tree. */
export function balanceLeaf(owner: Uint8Array, asset: Uint8Array, amount: Uint8Array): Uint8Array {
  return keccak256(new ByteWriter(72).bytes(owner, 20).bytes(asset, 20).bytes(amount, 32).finish());
}

/** The next slot of `tree`, or `state_tree_full` once all 2^32 were handed out (PROTOCOL §6). */
function newSlot(store: Store, tree: number, what: string): number {
  const slot = allocateLeaf(store, tree);
  if (slot === null)
    throw new Rejection("state_tree_full", `the ${what} tree has handed out all ${TABLE_TREE_MAX_LEAVES} slots`);
  return slot;
}

/** Set a balance (caller has checked 0 ≤ amount < 2^256) and its leaf: zero deletes the row and empties its slot. */
export function setBalance(store: Store, owner: Uint8Array, asset: Uint8Array, amount: bigint): void {
  const row = store.sql.one("SELECT leaf FROM balances WHERE owner = ? AND asset = ?", [owner, asset]);
  if (amount === 0n) {
    if (row === null) return;
    store.sql.run("DELETE FROM balances WHERE owner = ? AND asset = ?", [owner, asset]);
    setLeaf(store, BALANCES_TREE, Number(row[0] as bigint), EMPTY_LEAF);
    return;
  }
  const slot = row === null ? newSlot(store, BALANCES_TREE, "balances") : Number(row[0] as bigint);
  const bytes = u256Bytes(amount);
  store.sql.run("INSERT OR REPLACE INTO balances (owner, asset, amount, leaf) VALUES (?, ?, ?, ?)", [
    owner,
    asset,
    bytes,
    int(BigInt(slot)),
  ]);
  setLeaf(store, BALANCES_TREE, slot, balanceLeaf(owner, asset, bytes));
}

/** An owner's balances by asset. */
export function balancesOf(store: Store, owner: Uint8Array, each: (asset: Uint8Array, amount: bigint) => void): void {
  store.sql.all("SELECT asset, amount FROM balances WHERE owner = ? ORDER BY asset", [owner], (v) =>
    each(v[0] as Uint8Array, u256FromBytes(v[1] as Uint8Array)),
  );
}

// ---- Bounties. ----

export function nextBountyId(store: Store): bigint {
  const v = store.sql.one("SELECT max(id) FROM bounties", [])!;
  return v[0] === null ? 1n : (v[0] as bigint) + 1n;
}

export function bountyById(store: Store, id: bigint): BountyRow | null {
  const v = store.sql.one(`SELECT ${BOUNTY_COLUMNS} FROM bounties WHERE id = ?`, [int(id)]);
  return v === null ? null : toBounty(v);
}

/** Insert a new bounty (id = the next, nextBountyId) and fill its slot, id − 1. */
export function insertBounty(store: Store, b: BountyRow): void {
  const slot = newSlot(store, BOUNTIES_TREE, "bounties");
  if (BigInt(slot) !== b.id - 1n) throw new Error(`bounty ${b.id} would take slot ${slot}`);
  store.sql.run(`INSERT INTO bounties (${BOUNTY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    int(b.id),
    b.requester,
    b.asset,
    u256Bytes(b.amount),
    b.tier,
    i64sToBytes(b.elements),
    i64sToBytes([b.target]),
    int(b.deadline),
    b.status,
    b.solver,
    int(b.openedInput),
    b.closedInput === null ? null : int(b.closedInput),
  ]);
  setLeaf(store, BOUNTIES_TREE, slot, keccak256(bountyRowBytes(b)));
}

export function closeBounty(
  store: Store,
  id: bigint,
  status: number,
  solver: Uint8Array | null,
  closedInput: bigint,
): void {
  store.sql.run("UPDATE bounties SET status = ?, solver = ?, closed_input = ? WHERE id = ?", [
    status,
    solver,
    int(closedInput),
    int(id),
  ]);
  setLeaf(store, BOUNTIES_TREE, Number(id - 1n), keccak256(bountyRowBytes(bountyById(store, id)!)));
}

// ---- The wallet hash. ----

function walletHashOf(
  balancesRoot: Uint8Array,
  balances: number,
  bountiesRoot: Uint8Array,
  bounties: number,
): Uint8Array {
  return keccak256(
    new ByteWriter(95)
      .bytes(WALLET_TAG)
      .bytes(balancesRoot, 32)
      .u64(BigInt(balances))
      .bytes(bountiesRoot, 32)
      .u64(BigInt(bounties))
      .finish(),
  );
}

/** Store the wallet hash from the two trees' roots and leaf counts, O(1); none before the first slot. */
export function refreshWalletHash(store: Store): void {
  const balances = treeLeaves(store, BALANCES_TREE);
  const bounties = treeLeaves(store, BOUNTIES_TREE);
  if (balances + bounties === 0) {
    store.sql.run("DELETE FROM wallet", []);
    return;
  }
  const hash = walletHashOf(treeRoot(store, BALANCES_TREE), balances, treeRoot(store, BOUNTIES_TREE), bounties);
  store.sql.run("INSERT OR REPLACE INTO wallet (id, hash) VALUES (1, ?)", [hash]);
}

/** The wallet hash from the rows alone, both trees rebuilt from their leaves (O(rows × depth); tests compare it with the stored one). */
export function recomputeWalletHash(store: Store): Uint8Array | null {
  const balances: [number, Uint8Array][] = [];
  store.sql.all("SELECT owner, asset, amount, leaf FROM balances ORDER BY leaf", [], (v) => {
    balances.push([Number(v[3] as bigint), balanceLeaf(v[0] as Uint8Array, v[1] as Uint8Array, v[2] as Uint8Array)]);
  });
  const bounties: [number, Uint8Array][] = [];
  store.sql.all(`SELECT ${BOUNTY_COLUMNS} FROM bounties ORDER BY id`, [], (v) => {
    const b = toBounty(v);
    bounties.push([Number(b.id - 1n), keccak256(bountyRowBytes(b))]);
  });
  const balanceSlots = treeLeaves(store, BALANCES_TREE);
  if (balanceSlots + bounties.length === 0) return null;
  return walletHashOf(tableTreeRoot(balances), balanceSlots, tableTreeRoot(bounties), bounties.length);
}

/** The stored wallet hash, or null before the first balance or bounty. */
export function walletHash(store: Store): Uint8Array | null {
  const v = store.sql.one("SELECT hash FROM wallet WHERE id = 1", []);
  return v === null ? null : (v[0] as Uint8Array);
}
