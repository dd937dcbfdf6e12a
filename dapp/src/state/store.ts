// Every SQL statement the dApp runs, prepared once. Integers come back as bigint
// (sql.js useBigInt) and go in as int32 numbers or bigints, never as doubles: sql.js
// binds a number outside int32 as a double, and floats must not reach the state.

import type { Database } from "sql.js";
import { type Param, Statements, type Value, int } from "./statements.js";
import { SCHEMA, STATE_SCHEMA } from "./schema.js";
import { settlementHashOf } from "./settlementHash.js";


export interface DeviceRow {
  id: bigint;
  address: Uint8Array;
  publicKey: Uint8Array;
  owner: Uint8Array;
  metadata: Uint8Array;
  status: number;
  nonce: bigint;
  registeredInput: bigint;
  registeredAt: bigint;
  updatedInput: bigint;
}

export interface RecordRow {
  id: bigint;
  deviceId: bigint;
  seq: bigint;
  timestamp: bigint;
  bodyHash: Uint8Array;
  signature: Uint8Array;
  sealed: Uint8Array;
  inputIndex: bigint;
}

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
  /** The wallet's and bounties' hash (wallet/store.ts); null or absent while both are empty. */
  walletHash?: Uint8Array | null;
  /** The submitter allow-list's hash (submitters/store.ts); null or absent while no owner allows any. */
  submittersHash?: Uint8Array | null;
}

const DEVICE_COLUMNS = "id, address, public_key, owner, metadata, status, nonce, registered_input, registered_at, updated_input";
const RECORD_COLUMNS = "id, device_id, seq, timestamp, body_hash, signature, sealed, input_index";
const ZERO32 = new Uint8Array(32);
const INSERT_DEVICE = `INSERT INTO devices (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_RECORD = `INSERT INTO records (${RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const DEVICE_BY_ADDRESS = `SELECT ${DEVICE_COLUMNS} FROM devices WHERE address = ?`;

function toDevice(v: Value[]): DeviceRow {
  return {
    id: v[0] as bigint, address: v[1] as Uint8Array, publicKey: v[2] as Uint8Array, owner: v[3] as Uint8Array,
    metadata: v[4] as Uint8Array, status: Number(v[5] as bigint), nonce: v[6] as bigint,
    registeredInput: v[7] as bigint, registeredAt: v[8] as bigint, updatedInput: v[9] as bigint,
  };
}

function toRecord(v: Value[]): RecordRow {
  return {
    id: v[0] as bigint, deviceId: v[1] as bigint, seq: v[2] as bigint, timestamp: v[3] as bigint,
    bodyHash: v[4] as Uint8Array, signature: v[5] as Uint8Array, sealed: v[6] as Uint8Array, inputIndex: v[7] as bigint,
  };
}

export class Store {
  /** Every statement of the state goes through here (each feature's store.ts too). */
  readonly sql: Statements;

  /**
   * @param pageSize SQLite page size of the state database: a layout choice that must
   *   not change the state hash (the tests vary it); SQLite's default when omitted.
   */
  constructor(readonly db: Database, options: { pageSize?: number } = {}) {
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
    this.db.exec("ROLLBACK TO advance; RELEASE advance");
  }

  // ---- Devices. ----

  device(address: Uint8Array): DeviceRow | null {
    const v = this.sql.one(DEVICE_BY_ADDRESS, [address]);
    return v === null ? null : toDevice(v);
  }

  deviceById(id: bigint): DeviceRow | null {
    const v = this.sql.one(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`, [int(id)]);
    return v === null ? null : toDevice(v);
  }

  eachDevice(each: (d: DeviceRow) => void): void {
    this.sql.all(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY id`, [], (v) => each(toDevice(v)));
  }

  insertDevice(d: DeviceRow): void {
    this.sql.run(INSERT_DEVICE, [
      int(d.id), d.address, d.publicKey, d.owner, d.metadata, d.status, int(d.nonce),
      int(d.registeredInput), int(d.registeredAt), int(d.updatedInput),
    ]);
  }

  updateDevice(d: DeviceRow): void {
    this.sql.run("UPDATE devices SET public_key = ?, status = ?, nonce = ?, updated_input = ? WHERE id = ?", [
      d.publicKey, d.status, int(d.nonce), int(d.updatedInput), int(d.id),
    ]);
  }

  // ---- Records. ----

  // Per-device counters live in device_records, not in the records table: records of
  // settled periods are pruned (settlement/prune.ts) and nothing decided may depend on them.

  lastSeq(deviceId: bigint): bigint | null {
    const v = this.sql.one("SELECT last_seq FROM device_records WHERE device_id = ?", [int(deviceId)]);
    return v === null ? null : (v[0] as bigint);
  }

  /** Records ever accepted from the device, pruned ones included. */
  recordCount(deviceId: bigint): bigint {
    const v = this.sql.one("SELECT records FROM device_records WHERE device_id = ?", [int(deviceId)]);
    return v === null ? 0n : (v[0] as bigint);
  }

  /** The device's highest pruned seq: a seq at or below it may have been accepted and pruned. */
  prunedMaxSeq(deviceId: bigint): bigint | null {
    const v = this.sql.one("SELECT pruned_max_seq FROM device_records WHERE device_id = ?", [int(deviceId)]);
    return v === null ? null : (v[0] as bigint | null);
  }

  /** A batch accepted `count` records of the device, the last with seq `lastSeq`. */
  noteDeviceRecords(deviceId: bigint, lastSeq: bigint, count: bigint): void {
    this.sql.run(
      "INSERT INTO device_records (device_id, last_seq, records, pruned_max_seq) VALUES (?, ?, ?, NULL) ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq, records = records + excluded.records",
      [int(deviceId), int(lastSeq), int(count)],
    );
  }

  insertRecord(r: RecordRow): void {
    this.sql.run(INSERT_RECORD, [
      int(r.id), int(r.deviceId), int(r.seq), int(r.timestamp), r.bodyHash, r.signature, r.sealed, int(r.inputIndex),
    ]);
  }

  record(deviceId: bigint, seq: bigint): RecordRow | null {
    const v = this.sql.one(`SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND seq = ?`, [int(deviceId), int(seq)]);
    return v === null ? null : toRecord(v);
  }

  /** Records with from ≤ seq ≤ to and seq > after, by seq. */
  recordsBySeq(deviceId: bigint, from: bigint, to: bigint, after: bigint | null, limit: number, each: (r: RecordRow) => void): void {
    this.sql.all(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND seq >= ? AND seq <= ? AND seq > ? ORDER BY seq LIMIT ?`,
      [int(deviceId), int(from), int(to), after === null ? -1 : int(after), limit],
      (v) => each(toRecord(v)),
    );
  }

  /** Records with from ≤ timestamp ≤ to and (timestamp, seq) > after, by (timestamp, seq). */
  recordsByTime(
    deviceId: bigint, from: bigint, to: bigint, after: [bigint, bigint] | null, limit: number, each: (r: RecordRow) => void,
  ): void {
    const [t, s] = after ?? [-1n, -1n];
    this.sql.all(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND timestamp >= ? AND timestamp <= ? AND (timestamp, seq) > (?, ?) ORDER BY timestamp, seq LIMIT ?`,
      [int(deviceId), int(from), int(to), int(t), int(s), limit],
      (v) => each(toRecord(v)),
    );
  }

  /** Every record in id order, with its device's address: the from-scratch state hash. */
  eachRecord(each: (r: RecordRow, address: Uint8Array) => void): void {
    this.sql.all(
      `SELECT r.id, r.device_id, r.seq, r.timestamp, r.body_hash, r.signature, r.sealed, r.input_index, d.address FROM records r JOIN devices d ON d.id = r.device_id ORDER BY r.id`,
      [],
      (v) => each(toRecord(v), v[8] as Uint8Array),
    );
  }

  // ---- The state row. ----

  state(): StateRow {
    const v = this.sql.one(
      "SELECT devices_hash, records_hash, devices, revoked_devices, records, batches, skipped_records, last_input_index, (SELECT hash FROM wallet WHERE id = 1), (SELECT hash FROM submitters_state WHERE id = 1) FROM state WHERE id = 1",
      [],
    )!;
    return {
      devicesHash: v[0] as Uint8Array, recordsHash: v[1] as Uint8Array, devices: v[2] as bigint,
      revokedDevices: v[3] as bigint, records: v[4] as bigint, batches: v[5] as bigint,
      skippedRecords: v[6] as bigint, lastInputIndex: v[7] as bigint | null,
      settlementHash: this.settlementHash(),
      walletHash: v[8] as Uint8Array | null,
      submittersHash: v[9] as Uint8Array | null,
    };
  }

  /** keccak256(fold || openPeriod(u64; 2^64 − 1 when none) || openFirstRecord(u64) || openCount(u64)). */
  settlementHash(): Uint8Array {
    const v = this.sql.one("SELECT fold, open_period, open_first_record, open_count FROM settlement_state WHERE id = 1", [])!;
    return settlementHashOf(v[0] as Uint8Array, v[1] as bigint | null, v[2] as bigint, v[3] as bigint);
  }

  putState(s: StateRow): void {
    this.sql.run(
      "UPDATE state SET devices_hash = ?, records_hash = ?, devices = ?, revoked_devices = ?, records = ?, batches = ?, skipped_records = ?, last_input_index = ? WHERE id = 1",
      [
        s.devicesHash, s.recordsHash, int(s.devices), int(s.revokedDevices), int(s.records), int(s.batches),
        int(s.skippedRecords), s.lastInputIndex === null ? null : int(s.lastInputIndex),
      ],
    );
  }
}
