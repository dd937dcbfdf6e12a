// The devices table and each device's record counters (device_records), in
// state/schema.ts; every statement on them. A device row changes in place on a key
// rotation or a revocation; its id (registration order) never changes.

import { int, type Value } from "../state/statements.js";
import type { Store } from "../state/store.js";

export const DEVICE_ACTIVE = 0;
export const DEVICE_REVOKED = 1;

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

const DEVICE_COLUMNS =
  "id, address, public_key, owner, metadata, status, nonce, registered_input, registered_at, updated_input";
const INSERT_DEVICE = `INSERT INTO devices (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const DEVICE_BY_ADDRESS = `SELECT ${DEVICE_COLUMNS} FROM devices WHERE address = ?`;

function toDevice(v: Value[]): DeviceRow {
  return {
    id: v[0] as bigint,
    address: v[1] as Uint8Array,
    publicKey: v[2] as Uint8Array,
    owner: v[3] as Uint8Array,
    metadata: v[4] as Uint8Array,
    status: Number(v[5] as bigint),
    nonce: v[6] as bigint,
    registeredInput: v[7] as bigint,
    registeredAt: v[8] as bigint,
    updatedInput: v[9] as bigint,
  };
}

export function deviceByAddress(store: Store, address: Uint8Array): DeviceRow | null {
  const v = store.sql.one(DEVICE_BY_ADDRESS, [address]);
  return v === null ? null : toDevice(v);
}

export function eachDevice(store: Store, each: (d: DeviceRow) => void): void {
  store.sql.all(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY id`, [], (v) => each(toDevice(v)));
}

export function insertDevice(store: Store, d: DeviceRow): void {
  store.sql.run(INSERT_DEVICE, [
    int(d.id),
    d.address,
    d.publicKey,
    d.owner,
    d.metadata,
    d.status,
    int(d.nonce),
    int(d.registeredInput),
    int(d.registeredAt),
    int(d.updatedInput),
  ]);
}

export function updateDevice(store: Store, d: DeviceRow): void {
  store.sql.run("UPDATE devices SET public_key = ?, status = ?, nonce = ?, updated_input = ? WHERE id = ?", [
    d.publicKey,
    d.status,
    int(d.nonce),
    int(d.updatedInput),
    int(d.id),
  ]);
}

// ---- Record counters. ----

// Per-device counters live in device_records, not in the records table: records of
// settled periods are pruned (settlement/prune.ts) and nothing decided may depend on them.

export function lastSeq(store: Store, deviceId: bigint): bigint | null {
  const v = store.sql.one("SELECT last_seq FROM device_records WHERE device_id = ?", [int(deviceId)]);
  return v === null ? null : (v[0] as bigint);
}

/** Records ever accepted from the device, pruned ones included. */
export function recordCount(store: Store, deviceId: bigint): bigint {
  const v = store.sql.one("SELECT records FROM device_records WHERE device_id = ?", [int(deviceId)]);
  return v === null ? 0n : (v[0] as bigint);
}

/**
 * The device's highest pruned seq: a seq at or below it may have been accepted and pruned. The
 * folded one, or higher if rows at or below the prune point are not deleted yet (settlement/pruneSteps.ts).
 */
export function prunedMaxSeq(store: Store, deviceId: bigint): bigint | null {
  const v = store.sql.one(
    `SELECT r.pruned_max_seq, CASE WHEN s.deleted_through < p.pruned_through
         THEN (SELECT max(seq) FROM records WHERE device_id = r.device_id AND +id <= p.pruned_through) END
       FROM device_records r, prune_state p, prune_steps s WHERE r.device_id = ? AND p.id = 1 AND s.id = 1`,
    [int(deviceId)],
  );
  if (v === null) return null;
  const [folded, pending] = v as [bigint | null, bigint | null];
  if (pending === null) return folded;
  return folded === null || pending > folded ? pending : folded;
}

/** A batch accepted `count` records of the device, the last with seq `lastSeq`. */
export function noteDeviceRecords(store: Store, deviceId: bigint, lastSeq: bigint, count: bigint): void {
  store.sql.run(
    "INSERT INTO device_records (device_id, last_seq, records, pruned_max_seq) VALUES (?, ?, ?, NULL) ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq, records = records + excluded.records",
    [int(deviceId), int(lastSeq), int(count)],
  );
}
