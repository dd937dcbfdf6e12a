// The state's floor: the database with every table (schema.ts), its prepared statements,
// the advance's savepoint, and the state row the state hash is taken over. Each feature's
// store.ts runs its own statements through this Store. Integers come back as bigint
// (sql.js useBigInt) and go in as int32 numbers or bigints, never as doubles: sql.js
// binds a number outside int32 as a double, and floats must not reach the state.

import type { Database } from "sql.js";
import { Statements, int } from "./statements.js";
import { SCHEMA, STATE_SCHEMA } from "./schema.js";
import { settlementHashOf } from "./settlementHash.js";

export interface StateRow {
  devicesHash: Uint8Array;
  recordsHash: Uint8Array;
  devices: bigint;
  revokedDevices: bigint;
  records: bigint;
  batches: bigint;
  skippedRecords: bigint;
  lastInputIndex: bigint | null;
  /** Derived from the settlement_state row (settlement/store.ts), read here so the state hash covers it. */
  settlementHash: Uint8Array;
  /** The wallet's and bounties' hash (wallet/store.ts); null or absent before the first balance or bounty. */
  walletHash?: Uint8Array | null;
  /** The submitter allow-list's hash (submitters/store.ts); null or absent before the first grant. */
  submittersHash?: Uint8Array | null;
  /** The device formats' fold (devices/formats.ts); null or absent while no device has a format. */
  formatsHash?: Uint8Array | null;
}

const ZERO32 = new Uint8Array(32);

export class Store {
  /** Every statement of the state goes through here (each feature's store.ts too). */
  readonly sql: Statements;

  /**
   * @param pageSize SQLite page size of the state database: a layout choice that must
   *   not change the state hash (the tests vary it); SQLite's default when omitted.
   */
  constructor(
    readonly db: Database,
    options: { pageSize?: number } = {},
  ) {
    // The state is an in-memory database (schema.ts says why); its rollback journal is
    // in memory too, which is all ROLLBACK TO needs. Sorts spill to memory, not MEMFS.
    db.exec(`ATTACH DATABASE ':memory:' AS ${STATE_SCHEMA}; PRAGMA temp_store = MEMORY;`);
    if (options.pageSize !== undefined) db.exec(`PRAGMA ${STATE_SCHEMA}.page_size = ${Math.trunc(options.pageSize)}`);
    db.exec(SCHEMA);
    this.sql = new Statements(db);
    db.run(
      "INSERT OR IGNORE INTO state (id, devices_hash, records_hash, devices, revoked_devices, records, batches, skipped_records, last_input_index) VALUES (1, ?, ?, 0, 0, 0, 0, 0, NULL)",
      [ZERO32, ZERO32],
    );
  }

  // ---- Transactions: one savepoint per advance. ----

  begin(): void {
    this.db.exec("SAVEPOINT advance");
  }
  commit(): void {
    this.db.exec("RELEASE advance");
  }
  rollback(): void {
    try {
      this.db.exec("ROLLBACK TO advance; RELEASE advance");
    } catch {
      // SQLite itself may have rolled the whole transaction back (it does on some errors,
      // e.g. out of memory), and the savepoint with it: every change of the advance is gone
      // already. Leave no transaction open either way, so the next advance starts clean.
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // None was open.
      }
    }
  }

  // ---- The state row. ----

  state(): StateRow {
    const v = this.sql.one(
      "SELECT devices_hash, records_hash, devices, revoked_devices, records, batches, skipped_records, last_input_index, (SELECT hash FROM wallet WHERE id = 1), (SELECT hash FROM submitters_state WHERE id = 1), (SELECT hash FROM device_formats_state WHERE id = 1) FROM state WHERE id = 1",
      [],
    )!;
    return {
      devicesHash: v[0] as Uint8Array,
      recordsHash: v[1] as Uint8Array,
      devices: v[2] as bigint,
      revokedDevices: v[3] as bigint,
      records: v[4] as bigint,
      batches: v[5] as bigint,
      skippedRecords: v[6] as bigint,
      lastInputIndex: v[7] as bigint | null,
      settlementHash: this.settlementHash(),
      walletHash: v[8] as Uint8Array | null,
      submittersHash: v[9] as Uint8Array | null,
      formatsHash: v[10] as Uint8Array | null,
    };
  }

  /** keccak256(fold || openPeriod(u64; 2^64 − 1 when none) || openFirstRecord(u64) || openCount(u64)). */
  settlementHash(): Uint8Array {
    const v = this.sql.one(
      "SELECT fold, open_period, open_first_record, open_count FROM settlement_state WHERE id = 1",
      [],
    )!;
    return settlementHashOf(v[0] as Uint8Array, v[1] as bigint | null, v[2] as bigint, v[3] as bigint);
  }

  putState(s: StateRow): void {
    this.sql.run(
      "UPDATE state SET devices_hash = ?, records_hash = ?, devices = ?, revoked_devices = ?, records = ?, batches = ?, skipped_records = ?, last_input_index = ? WHERE id = 1",
      [
        s.devicesHash,
        s.recordsHash,
        int(s.devices),
        int(s.revokedDevices),
        int(s.records),
        int(s.batches),
        int(s.skippedRecords),
        s.lastInputIndex === null ? null : int(s.lastInputIndex),
      ],
    );
  }
}
