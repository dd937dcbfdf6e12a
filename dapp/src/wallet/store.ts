// Every statement on the wallet's and the bounties' tables (state/schema.ts): a bounty's
// amount is funds the wallet holds, and one hash covers both tables. Amounts are uint256
// stored as 32-byte big-endian BLOBs (exact; never REAL); a balance that reaches zero is
// deleted, so the tables — hence the state hash — hold only what is owned.
//
// walletHash = keccak256("lcore/v1/wallet" || balancesFold || bountiesFold), recomputed from
// the tables (ordered by primary key) after every input that changes them, O(rows):
//   balancesFold = fold over balances by (owner, asset): keccak256(h || owner(20) || asset(20) || amount(32))
//   bountiesFold = fold over bounties by id:             keccak256(h || bountyRowBytes)
// It is kept in the one-row `wallet` table, which exists only while either table has rows;
// the state hash folds it in then (state/stateHash.ts).

import { keccak256 } from "@lcore/wasm-core";
import { type Value, int } from "../state/statements.js";
import type { Store } from "../state/store.js";
import { ByteWriter, ascii } from "@lcore/protocol/bytes";
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

const WALLET_TAG = ascii("lcore/v1/wallet");
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

/** Set a balance (caller has checked 0 ≤ amount < 2^256); zero deletes the row. */
export function setBalance(store: Store, owner: Uint8Array, asset: Uint8Array, amount: bigint): void {
  if (amount === 0n) store.sql.run("DELETE FROM balances WHERE owner = ? AND asset = ?", [owner, asset]);
  else
    store.sql.run("INSERT OR REPLACE INTO balances (owner, asset, amount) VALUES (?, ?, ?)", [
      owner,
      asset,
      u256Bytes(amount),
    ]);
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

export function insertBounty(store: Store, b: BountyRow): void {
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
}

// ---- The wallet hash. ----

/** Recompute the wallet hash from the tables and store it (or drop it when both are empty). */
export function refreshWalletHash(store: Store): void {
  let rows = 0;
  let balances: Uint8Array = new Uint8Array(32);
  store.sql.all("SELECT owner, asset, amount FROM balances ORDER BY owner, asset", [], (v) => {
    balances = keccak256(
      new ByteWriter(104)
        .bytes(balances)
        .bytes(v[0] as Uint8Array, 20)
        .bytes(v[1] as Uint8Array, 20)
        .bytes(v[2] as Uint8Array, 32)
        .finish(),
    );
    rows++;
  });
  let bounties: Uint8Array = new Uint8Array(32);
  store.sql.all(`SELECT ${BOUNTY_COLUMNS} FROM bounties ORDER BY id`, [], (v) => {
    const row = bountyRowBytes(toBounty(v));
    const buf = new Uint8Array(32 + row.length);
    buf.set(bounties);
    buf.set(row, 32);
    bounties = keccak256(buf);
    rows++;
  });
  if (rows === 0) {
    store.sql.run("DELETE FROM wallet", []);
    return;
  }
  const hash = keccak256(new ByteWriter(79).bytes(WALLET_TAG).bytes(balances).bytes(bounties).finish());
  store.sql.run("INSERT OR REPLACE INTO wallet (id, hash) VALUES (1, ?)", [hash]);
}

/** The stored wallet hash, or null while the wallet and the bounties are empty. */
export function walletHash(store: Store): Uint8Array | null {
  const v = store.sql.one("SELECT hash FROM wallet WHERE id = 1", []);
  return v === null ? null : (v[0] as Uint8Array);
}
