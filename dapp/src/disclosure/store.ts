// SQL of disclosure over the tables in state/schema.ts: the disclosures published
// (disclosures) and the 0x12 disclosures under way (disclosure_parts, PROTOCOL §11.1).

import { int128Bytes } from "@lcore/protocol/disclosure";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

/** count, sum, min and max of the disclosed readings' values. */
export interface Aggregate {
  count: bigint;
  sum: bigint;
  min: bigint;
  max: bigint;
}

export function hasDisclosure(store: Store, deviceId: bigint, period: bigint): boolean {
  return (
    store.sql.one("SELECT 1 FROM disclosures WHERE device_id = ? AND period = ?", [int(deviceId), int(period)]) !== null
  );
}

export interface DisclosureRow {
  deviceId: bigint;
  period: bigint;
  count: bigint;
  sum: Uint8Array;
  min: bigint;
  max: bigint;
  voucher: boolean;
  inputIndex: bigint;
}

export function insertDisclosure(store: Store, d: DisclosureRow): void {
  store.sql.run(
    "INSERT INTO disclosures (device_id, period, count, sum, min, max, voucher, input_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [int(d.deviceId), int(d.period), int(d.count), d.sum, int(d.min), int(d.max), d.voucher ? 1 : 0, int(d.inputIndex)],
  );
}

// ---- Disclosures of pruned records under way. ----

/** The parts of a 0x12 disclosure received so far: the first part's key and flags, the running aggregate. */
export interface Parts {
  periodKey: Uint8Array;
  voucher: boolean;
  agg: Aggregate;
  lastSeq: bigint;
}

export function readParts(store: Store, deviceId: bigint, period: bigint): Parts | null {
  const v = store.sql.one(
    "SELECT period_key, voucher, records, sum, min, max, last_seq FROM disclosure_parts WHERE device_id = ? AND period = ?",
    [int(deviceId), int(period)],
  );
  if (v === null) return null;
  const sum = v[3] as Uint8Array;
  let u = 0n;
  for (const b of sum) u = (u << 8n) | BigInt(b);
  return {
    periodKey: v[0] as Uint8Array,
    voucher: (v[1] as bigint) === 1n,
    lastSeq: v[6] as bigint,
    agg: { count: v[2] as bigint, sum: BigInt.asIntN(128, u), min: v[4] as bigint, max: v[5] as bigint },
  };
}

export function writeParts(store: Store, deviceId: bigint, period: bigint, p: Parts): void {
  store.sql.run(
    "INSERT OR REPLACE INTO disclosure_parts (device_id, period, period_key, voucher, records, sum, min, max, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [
      int(deviceId),
      int(period),
      p.periodKey,
      p.voucher ? 1 : 0,
      int(p.agg.count),
      int128Bytes(p.agg.sum),
      int(p.agg.min),
      int(p.agg.max),
      int(p.lastSeq),
    ],
  );
}

/** The last part arrived: the row goes. */
export function dropParts(store: Store, deviceId: bigint, period: bigint): void {
  store.sql.run("DELETE FROM disclosure_parts WHERE device_id = ? AND period = ?", [int(deviceId), int(period)]);
}
