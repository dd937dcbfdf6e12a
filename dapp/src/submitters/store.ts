// The submitter allow-list (PROTOCOL §3.6; tables in state/schema.ts): per owner, the
// accounts besides itself whose record batches may carry its devices' records. At most
// MAX_SUBMITTERS_PER_OWNER rows per owner, so the per-record check is one indexed lookup
// and the table stays small.
//
// submittersHash = fold over submitters by (owner, submitter), from 32 zero bytes:
//   keccak256(h || owner(20) || submitter(20) || grantedInput(u64))
// recomputed from the table after every grant or revoke, O(rows) — rare owner
// operations, like a key rotation's refold of the devices table. It is kept in the
// one-row `submitters_state` table, which exists only while the list has rows, and the
// state hash folds it in then (state/stateHash.ts), so a state without grants hashes as before.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "@lcore/protocol/bytes";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

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

export function grantSubmitter(store: Store, r: SubmitterRow): void {
  store.sql.run("INSERT INTO submitters (owner, submitter, granted_input) VALUES (?, ?, ?)", [
    r.owner,
    r.submitter,
    int(r.grantedInput),
  ]);
  refreshHash(store);
}

export function revokeSubmitter(store: Store, owner: Uint8Array, submitter: Uint8Array): void {
  store.sql.run("DELETE FROM submitters WHERE owner = ? AND submitter = ?", [owner, submitter]);
  refreshHash(store);
}

/** The stored hash, or null while no owner allows any submitter. */
export function submittersHash(store: Store): Uint8Array | null {
  const v = store.sql.one("SELECT hash FROM submitters_state WHERE id = 1", []);
  return v === null ? null : (v[0] as Uint8Array);
}

/** The hash from the table alone: what refreshHash stores (tests compare the two). */
export function recomputeSubmittersHash(store: Store): Uint8Array | null {
  let h: Uint8Array | null = null;
  store.sql.all("SELECT owner, submitter, granted_input FROM submitters ORDER BY owner, submitter", [], (v) => {
    h = keccak256(
      new ByteWriter(80)
        .bytes(h ?? new Uint8Array(32), 32)
        .bytes(v[0] as Uint8Array, 20)
        .bytes(v[1] as Uint8Array, 20)
        .u64(v[2] as bigint)
        .finish(),
    );
  });
  return h;
}

function refreshHash(store: Store): void {
  const h = recomputeSubmittersHash(store);
  if (h === null) store.sql.run("DELETE FROM submitters_state", []);
  else store.sql.run("INSERT OR REPLACE INTO submitters_state (id, hash) VALUES (1, ?)", [h]);
}
