// The submitter allow-list (PROTOCOL §3.6): per owner, the accounts besides itself whose
// record batches may carry its devices' records. At most MAX_SUBMITTERS_PER_OWNER rows
// per owner, so the per-record check is one indexed lookup and the table stays small.
//
// submittersHash = fold over submitters by (owner, submitter), from 32 zero bytes:
//   keccak256(h || owner(20) || submitter(20) || grantedInput(u64))
// recomputed from the table after every grant or revoke, O(rows) — rare owner
// operations, like a key rotation's refold of the devices table. It is kept in the
// one-row `submitters_state` table, which exists only while the list has rows, and the
// state hash folds it in then (state/stateHash.ts), so a state without grants hashes as before.

import { keccak256 } from "@lcore/wasm-core";
import type { Database } from "sql.js";
import { ByteWriter } from "@lcore/protocol/bytes";
import { Statements, int } from "../state/statements.js";

export const SUBMITTERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS lcore.submitters (
  owner         BLOB    NOT NULL,           -- 20 bytes: the devices' owner
  submitter     BLOB    NOT NULL,           -- 20 bytes: an allowed msg_sender of record batches
  granted_input INTEGER NOT NULL,
  PRIMARY KEY (owner, submitter)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS lcore.submitters_state (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  hash BLOB NOT NULL
) STRICT;
`;

export interface SubmitterRow {
  owner: Uint8Array;
  submitter: Uint8Array;
  grantedInput: bigint;
}

export class SubmitterStore {
  private readonly sql: Statements;

  constructor(db: Database) {
    db.exec(SUBMITTERS_SCHEMA);
    this.sql = new Statements(db);
  }

  isAllowed(owner: Uint8Array, submitter: Uint8Array): boolean {
    return this.sql.one("SELECT 1 FROM submitters WHERE owner = ? AND submitter = ?", [owner, submitter]) !== null;
  }

  count(owner: Uint8Array): number {
    return Number(this.sql.one("SELECT count(*) FROM submitters WHERE owner = ?", [owner])![0] as bigint);
  }

  /** The owner's allowed submitters, by address. */
  ofOwner(owner: Uint8Array): SubmitterRow[] {
    const rows: SubmitterRow[] = [];
    this.sql.all("SELECT owner, submitter, granted_input FROM submitters WHERE owner = ? ORDER BY submitter", [owner], (v) => {
      rows.push({ owner: v[0] as Uint8Array, submitter: v[1] as Uint8Array, grantedInput: v[2] as bigint });
    });
    return rows;
  }

  grant(r: SubmitterRow): void {
    this.sql.run("INSERT INTO submitters (owner, submitter, granted_input) VALUES (?, ?, ?)", [r.owner, r.submitter, int(r.grantedInput)]);
    this.refreshHash();
  }

  revoke(owner: Uint8Array, submitter: Uint8Array): void {
    this.sql.run("DELETE FROM submitters WHERE owner = ? AND submitter = ?", [owner, submitter]);
    this.refreshHash();
  }

  /** The stored hash, or null while no owner allows any submitter. */
  hash(): Uint8Array | null {
    const v = this.sql.one("SELECT hash FROM submitters_state WHERE id = 1", []);
    return v === null ? null : (v[0] as Uint8Array);
  }

  /** The hash from the table alone: what refreshHash stores (tests compare the two). */
  recomputeHash(): Uint8Array | null {
    let h: Uint8Array | null = null;
    this.sql.all("SELECT owner, submitter, granted_input FROM submitters ORDER BY owner, submitter", [], (v) => {
      h = keccak256(new ByteWriter(80).bytes(h ?? new Uint8Array(32), 32).bytes(v[0] as Uint8Array, 20)
        .bytes(v[1] as Uint8Array, 20).u64(v[2] as bigint).finish());
    });
    return h;
  }

  private refreshHash(): void {
    const h = this.recomputeHash();
    if (h === null) this.sql.run("DELETE FROM submitters_state", []);
    else this.sql.run("INSERT OR REPLACE INTO submitters_state (id, hash) VALUES (1, ?)", [h]);
  }
}
