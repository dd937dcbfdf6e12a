// Pruning of settled records (PROTOCOL §11). A settled period commits its records' Merkle
// root, and every record is a chain input, so the machine need not keep them: after each
// settlement the oldest settled periods leave the state until at most
// PRUNE_KEEP_SETTLED_PERIODS of them, holding at most PRUNE_KEEP_RECORDS records, remain.
// They leave at once logically (the prune point below) and in bounded steps physically
// (pruneSteps.ts), so no input's cost grows with the records of a period.
// What decisions still need is kept in its own rows first: per device the last seq, the
// count and the highest pruned seq (device_records), per device and day the pruned count
// (pruned_days, for 0x12 disclosures), and the records fold through the last pruned row
// (prune_state), so recomputeState = saved fold + the remaining rows.
//
// The state hash does not change: recordsHash is the fold over every record ever
// accepted, extended in O(1) per record; pruning only forgets rows it already covers.
// Each record is pruned once, so the cost is O(records) over the whole history, spread
// PRUNE_STEP_RECORDS rows an input.

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

/** The physical side of pruning (pruneSteps.ts): how far rows are gone, and the window cut in force. */
export interface PruneProgress {
  /** Records with id ≤ deletedThrough are folded into device_records and pruned_days and deleted. */
  deletedThrough: bigint;
  /** Disclosure days before cutDay are closed: their pruned and accepted counts read as gone. */
  cutDay: bigint;
  /** Settlements that pruned so far: a device_days_late row counts only in its epoch. */
  epoch: bigint;
}

export function pruneProgress(store: Store): PruneProgress {
  const v = store.sql.one("SELECT deleted_through, cut_day, epoch FROM prune_steps WHERE id = 1", [])!;
  return { deletedThrough: v[0] as bigint, cutDay: v[1] as bigint, epoch: v[2] as bigint };
}

/**
 * Apply the rule after a settlement (inside the advance's savepoint, so a rejected input undoes it).
 * `blockTimestamp` is where the disclosure window is cut: settle.ts passes the settled period's end, which never decreases.
 * O(settled periods kept): this moves the prune point and the cut; the rows go in steps (pruneSteps.ts),
 * and every read answers from the point and the cut, not from which rows are still there.
 */
export function pruneSettledRecords(store: Store, blockTimestamp: bigint): void {
  const before = pruneState(store);
  const gone = periodsToPrune(settledPeriodsAfter(store, before.prunedThrough));
  if (gone.length === 0) return;
  const last = gone[gone.length - 1]!;
  const through = last.firstRecord + last.recordCount - 1n;
  // Days past the disclosure window can no longer be disclosed: their pruned and accepted
  // counts (pruned_days, device_days) go, at every settlement that prunes, as one cut.
  const firstOpenDay = blockTimestamp / DISCLOSURE_PERIOD_SECONDS - DISCLOSURE_WINDOW_DAYS;
  const progress = pruneProgress(store);
  store.sql.run("UPDATE prune_steps SET cut_day = ?, epoch = ? WHERE id = 1", [
    int(firstOpenDay > progress.cutDay ? firstOpenDay : progress.cutDay),
    int(progress.epoch + 1n),
  ]);
  store.sql.run("UPDATE prune_state SET pruned_through = ?, fold = ? WHERE id = 1", [int(through), last.recordsFold]);
}

/**
 * How many of a device's records of disclosure day `day` were pruned: the count folded so far
 * plus the device-day's rows at or below the prune point not deleted yet (records_by_time,
 * at most MAX_DEVICE_DAY_RECORDS rows); none for a day before the cut.
 */
export function prunedCount(store: Store, deviceId: bigint, day: bigint): bigint {
  const progress = pruneProgress(store);
  if (day < progress.cutDay) return 0n;
  const v = store.sql.one("SELECT count FROM pruned_days WHERE device_id = ? AND day = ?", [int(deviceId), int(day)]);
  const folded = v === null ? 0n : (v[0] as bigint);
  const { prunedThrough } = pruneState(store);
  if (progress.deletedThrough >= prunedThrough) return folded;
  const from = day * DISCLOSURE_PERIOD_SECONDS;
  const pending = store.sql.one(
    "SELECT count(*) FROM records WHERE device_id = ? AND timestamp >= ? AND timestamp < ? AND +id <= ?",
    [int(deviceId), int(from), int(from + DISCLOSURE_PERIOD_SECONDS), int(prunedThrough)],
  )![0] as bigint;
  return folded + pending;
}
