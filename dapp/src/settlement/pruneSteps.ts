// Pruning in steps (PROTOCOL §11). A settlement that prunes only moves the prune point and
// the window cut (prune.ts); the rows they forget leave here, at most `budget` rows at the end
// of each accepted input (Dapp.advance, inside its savepoint: a rejected input does no step).
// In this order: the records through the prune point, oldest first, each folded into what
// decisions still need (device_records.pruned_max_seq, pruned_days) before it is deleted; then
// the day counts before the cut (pruned_days, device_days, late device_days of past epochs);
// then the device summaries of settled periods (period_devices).
//
// Every read answers from the prune point and the cut, whatever is still stored: a record
// with id ≤ the point is pruned (records/store.ts, prunedCount and prunedMaxSeq count the
// not-yet-deleted ones), a day before the cut has no counts (deviceDays.ts). So the outputs
// and the state hash do not depend on how far the steps got, and deleting here changes no answer.

import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";
import { pruneProgress, pruneState } from "./prune.js";
import { lastSettledPeriod } from "./store.js";

/** Do at most `budget` rows of the pruning backlog. Returns how many rows went. */
export function pruneStep(store: Store, budget: number): number {
  const { prunedThrough } = pruneState(store);
  const progress = pruneProgress(store);
  let done = 0;
  if (progress.deletedThrough < prunedThrough) {
    const from = progress.deletedThrough + 1n;
    const span = prunedThrough - progress.deletedThrough;
    const through = span > BigInt(budget) ? progress.deletedThrough + BigInt(budget) : prunedThrough;
    const range = [int(from), int(through)];
    // Every device with records has its device_records row (records/recordBatch.ts), so this upsert
    // only ever updates: it sets the highest pruned seq (seqs rise with ids per device, and steps go in id order).
    store.sql.run(
      `INSERT INTO device_records (device_id, last_seq, records, pruned_max_seq)
         SELECT device_id, max(seq), count(*), max(seq) FROM records WHERE id >= ? AND id <= ? GROUP BY device_id
         ON CONFLICT (device_id) DO UPDATE SET pruned_max_seq = excluded.pruned_max_seq`,
      range,
    );
    // Days before the cut are closed: their counts would be cut at once, so they are not kept.
    store.sql.run(
      `INSERT INTO pruned_days (device_id, day, count)
         SELECT device_id, timestamp / ${DISCLOSURE_PERIOD_SECONDS}, count(*) FROM records
           WHERE id >= ? AND id <= ? AND timestamp >= ? GROUP BY 1, 2
         ON CONFLICT (device_id, day) DO UPDATE SET count = count + excluded.count`,
      [...range, int(progress.cutDay * DISCLOSURE_PERIOD_SECONDS)],
    );
    store.sql.run("DELETE FROM records WHERE id >= ? AND id <= ?", range);
    store.sql.run("UPDATE prune_steps SET deleted_through = ? WHERE id = 1", [int(through)]);
    done += Number(through - progress.deletedThrough);
  }
  const cut = int(progress.cutDay);
  const settled = lastSettledPeriod(store);
  // [table, its row key, which rows are dead, their parameters]; period_devices is WITHOUT ROWID.
  const dead: [string, string, string, (number | bigint)[]][] = [
    ["pruned_days", "rowid", "day < ?", [cut]],
    ["device_days", "rowid", "day < ?", [cut]],
    ["device_days_late", "rowid", "epoch < ?", [int(progress.epoch)]],
    ["period_devices", "(period, address)", "period <= ?", [settled === null ? -1 : int(settled)]],
  ];
  for (const [table, key, where, params] of dead) {
    if (done >= budget) break;
    done += deleteSome(store, table, key, where, params, budget - done);
  }
  return done;
}

/** Delete at most `limit` rows of `table` matching `where` (each has an index it ranges over). */
function deleteSome(
  store: Store,
  table: string,
  key: string,
  where: string,
  params: (number | bigint)[],
  limit: number,
): number {
  const keyColumns = key.replace(/[()]/g, "");
  store.sql.run(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${keyColumns} FROM ${table} WHERE ${where} LIMIT ?)`, [
    ...params,
    limit,
  ]);
  return Number(store.sql.one("SELECT changes()", [])![0] as bigint);
}

/** Run steps until nothing is left (tests, audits: an eagerly pruned twin). Returns the rows that went. */
export function drainPruneBacklog(store: Store, budget: number): number {
  let total = 0;
  for (;;) {
    const n = pruneStep(store, budget);
    total += n;
    if (n === 0) return total;
  }
}

/** Records through the prune point not deleted yet (the rest of the backlog is dead day counts and summaries). */
export function prunePendingRecords(store: Store): bigint {
  const pending = pruneState(store).prunedThrough - pruneProgress(store).deletedThrough;
  return pending > 0n ? pending : 0n;
}
