// Pruning of settled records (PROTOCOL §11). A settled period commits its records' Merkle
// root, and every record is a chain input, so the machine need not keep them: after each
// settlement the oldest settled periods leave the state until at most
// PRUNE_KEEP_SETTLED_PERIODS of them, holding at most PRUNE_KEEP_RECORDS records, remain.
// What decisions still need is kept in its own rows first: per device the last seq, the
// count and the highest pruned seq (device_records), per device and day the pruned count
// (pruned_days, for 0x12 disclosures), and the records fold through the last pruned row
// (prune_state), so recomputeState = saved fold + the remaining rows.
//
// The state hash does not change: recordsHash is the fold over every record ever
// accepted, extended in O(1) per record; pruning only forgets rows it already covers.
// Each record is pruned once, so the cost is O(records) over the whole history.

import { DISCLOSURE_PERIOD_SECONDS, DISCLOSURE_WINDOW_DAYS } from "@lcore/protocol/bounds";
import { periodsToPrune } from "@lcore/protocol/pruneRule";
import { settledPeriodsAfter } from "./store.js";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

export interface PruneState {
  /** Records with id ≤ prunedThrough are no longer in the state. */
  prunedThrough: bigint;
  /** recordsHash through prunedThrough (32 zero bytes before any pruning). */
  fold: Uint8Array;
}

export function pruneState(store: Store): PruneState {
  const v = store.sql.one("SELECT pruned_through, fold FROM prune_state WHERE id = 1", [])!;
  return { prunedThrough: v[0] as bigint, fold: v[1] as Uint8Array };
}

/**
 * Apply the rule after a settlement (inside the advance's savepoint, so a rejected input undoes it).
 * `blockTimestamp` is where the disclosure window is cut: settle.ts passes the settled period's end, which never decreases.
 */
export function pruneSettledRecords(store: Store, blockTimestamp: bigint): void {
  const before = pruneState(store);
  const gone = periodsToPrune(settledPeriodsAfter(store, before.prunedThrough));
  if (gone.length === 0) return;
  const last = gone[gone.length - 1]!;
  const from = before.prunedThrough + 1n;
  const through = last.firstRecord + last.recordCount - 1n;
  const range = [int(from), int(through)];
  // Every device with records has its device_records row (records/recordBatch.ts), so this upsert
  // only ever updates: it sets the highest pruned seq (seqs rise with ids per device).
  store.sql.run(
    `INSERT INTO device_records (device_id, last_seq, records, pruned_max_seq)
       SELECT device_id, max(seq), count(*), max(seq) FROM records WHERE id >= ? AND id <= ? GROUP BY device_id
       ON CONFLICT (device_id) DO UPDATE SET pruned_max_seq = excluded.pruned_max_seq`,
    range,
  );
  store.sql.run(
    `INSERT INTO pruned_days (device_id, day, count)
       SELECT device_id, timestamp / ${DISCLOSURE_PERIOD_SECONDS}, count(*) FROM records WHERE id >= ? AND id <= ? GROUP BY 1, 2
       ON CONFLICT (device_id, day) DO UPDATE SET count = count + excluded.count`,
    range,
  );
  // Days past the disclosure window can no longer be disclosed: their counts go too.
  const firstOpenDay = blockTimestamp / DISCLOSURE_PERIOD_SECONDS - DISCLOSURE_WINDOW_DAYS;
  store.sql.run("DELETE FROM pruned_days WHERE day < ?", [int(firstOpenDay)]);
  // And so do their accepted counts (device_days, the cap of records/deviceDays.ts), by the day index.
  store.sql.run("DELETE FROM device_days WHERE day < ?", [int(firstOpenDay)]);
  store.sql.run("DELETE FROM records WHERE id >= ? AND id <= ?", range);
  store.sql.run("UPDATE prune_state SET pruned_through = ?, fold = ? WHERE id = 1", [int(through), last.recordsFold]);
}

/** How many of a device's records of disclosure day `day` were pruned. */
export function prunedCount(store: Store, deviceId: bigint, day: bigint): bigint {
  const v = store.sql.one("SELECT count FROM pruned_days WHERE device_id = ? AND day = ?", [int(deviceId), int(day)]);
  return v === null ? 0n : (v[0] as bigint);
}
