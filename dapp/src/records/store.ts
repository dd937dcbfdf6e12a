// The records table (state/schema.ts) and every statement on it. Records of settled
// periods leave it when they are pruned (settlement/prune.ts); what decisions still need
// of them is kept per device (devices/store.ts) and in the records fold (fold.ts). Rows at
// or below the prune point may still be stored until a prune step deletes them
// (settlement/pruneSteps.ts): every read here skips them (KEPT), so no answer depends on it.

import { int, type Value } from "../state/statements.js";
import type { Store } from "../state/store.js";

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

const RECORD_COLUMNS = "id, device_id, seq, timestamp, body_hash, signature, sealed, input_index";
/** The record is above the prune point. `+id`: a filter on the rows the device's index finds, never a rowid range scan. */
const KEPT = "+id > (SELECT pruned_through FROM prune_state)";

function toRecord(v: Value[]): RecordRow {
  return {
    id: v[0] as bigint,
    deviceId: v[1] as bigint,
    seq: v[2] as bigint,
    timestamp: v[3] as bigint,
    bodyHash: v[4] as Uint8Array,
    signature: v[5] as Uint8Array,
    sealed: v[6] as Uint8Array,
    inputIndex: v[7] as bigint,
  };
}

/** Rows per multi-row INSERT, then halves down to 1 for the rest: at most 6 distinct statements, each prepared once. */
const INSERT_CHUNK = 32;
/** The statement text for n rows, n = 32, 16, …, 1. */
const INSERT_ROWS: string[] = [];
for (let n = INSERT_CHUNK; n >= 1; n /= 2)
  INSERT_ROWS[n] =
    `INSERT INTO records (${RECORD_COLUMNS}) VALUES ${Array(n).fill("(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`;

/**
 * Insert a batch's records in id order with multi-row INSERTs: sql.js pays a fixed cost per
 * statement run (bind, step, reset across the WASM boundary) of several times a row's own,
 * 19 against 3-5 µs a row on the x86 host.
 */
export function insertRecords(store: Store, rows: readonly RecordRow[]): void {
  let i = 0;
  for (let chunk = INSERT_CHUNK; chunk >= 1; chunk /= 2) {
    for (; rows.length - i >= chunk; i += chunk) {
      const params: (number | bigint | Uint8Array)[] = [];
      for (const r of rows.slice(i, i + chunk))
        params.push(
          int(r.id),
          int(r.deviceId),
          int(r.seq),
          int(r.timestamp),
          r.bodyHash,
          r.signature,
          r.sealed,
          int(r.inputIndex),
        );
      store.sql.run(INSERT_ROWS[chunk]!, params);
    }
  }
}

export function recordBySeq(store: Store, deviceId: bigint, seq: bigint): RecordRow | null {
  const v = store.sql.one(`SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND seq = ? AND ${KEPT}`, [
    int(deviceId),
    int(seq),
  ]);
  return v === null ? null : toRecord(v);
}

/** Records with from ≤ seq ≤ to and seq > after, by seq. */
export function recordsBySeq(
  store: Store,
  deviceId: bigint,
  from: bigint,
  to: bigint,
  after: bigint | null,
  limit: number,
  each: (r: RecordRow) => void,
): void {
  store.sql.all(
    `SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND seq >= ? AND seq <= ? AND seq > ? AND ${KEPT} ORDER BY seq LIMIT ?`,
    [int(deviceId), int(from), int(to), after === null ? -1 : int(after), limit],
    (v) => each(toRecord(v)),
  );
}

/** Records with from ≤ timestamp ≤ to and (timestamp, seq) > after, by (timestamp, seq). */
export function recordsByTime(
  store: Store,
  deviceId: bigint,
  from: bigint,
  to: bigint,
  after: [bigint, bigint] | null,
  limit: number,
  each: (r: RecordRow) => void,
): void {
  const [t, s] = after ?? [-1n, -1n];
  store.sql.all(
    `SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND timestamp >= ? AND timestamp <= ? AND (timestamp, seq) > (?, ?) AND ${KEPT} ORDER BY timestamp, seq LIMIT ?`,
    [int(deviceId), int(from), int(to), int(t), int(s), limit],
    (v) => each(toRecord(v)),
  );
}

/** Every record in id order, with its device's address: the from-scratch state hash. */
export function eachRecord(store: Store, each: (r: RecordRow, address: Uint8Array) => void): void {
  store.sql.all(
    `SELECT r.id, r.device_id, r.seq, r.timestamp, r.body_hash, r.signature, r.sealed, r.input_index, d.address FROM records r JOIN devices d ON d.id = r.device_id WHERE r.id > (SELECT pruned_through FROM prune_state) ORDER BY r.id`,
    [],
    (v) => each(toRecord(v), v[8] as Uint8Array),
  );
}

/** A device's records with from ≤ timestamp ≤ to, by (timestamp, seq): a disclosure period's. */
export function deviceRecordsInTime(store: Store, deviceId: bigint, from: bigint, to: bigint): RecordRow[] {
  const out: RecordRow[] = [];
  store.sql.all(
    `SELECT ${RECORD_COLUMNS} FROM records WHERE device_id = ? AND timestamp >= ? AND timestamp <= ? AND ${KEPT} ORDER BY timestamp, seq`,
    [int(deviceId), int(from), int(to)],
    (v) => out.push(toRecord(v)),
  );
  return out;
}
