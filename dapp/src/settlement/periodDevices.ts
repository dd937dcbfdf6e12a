// What each device sent in the open period (PROTOCOL §9.1), kept as the records arrive: one
// period_devices row per device of the period, upserted once per device of each accepted
// batch (O(records of the batch)), so the settling input reads at most one row per
// registered device instead of grouping the period's records. The rows of a period are
// exactly what grouping its records would give (count, first and last seq: seqs rise with
// ids per device); once the period is settled they are dead and the prune steps delete
// them (pruneSteps.ts).

import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

/** A batch's accepted rows, in id order, joined the open period `period`. */
export function notePeriodDevices(
  store: Store,
  period: bigint,
  rows: readonly { deviceId: bigint; address: Uint8Array; seq: bigint }[],
): void {
  // Map order is first-appearance order in the batch; each device's row is independent of it.
  const byDevice = new Map<bigint, { address: Uint8Array; count: bigint; first: bigint; last: bigint }>();
  for (const r of rows) {
    const d = byDevice.get(r.deviceId);
    if (d === undefined) byDevice.set(r.deviceId, { address: r.address, count: 1n, first: r.seq, last: r.seq });
    else {
      d.count++;
      d.last = r.seq;
    }
  }
  for (const [deviceId, d] of byDevice)
    store.sql.run(
      `INSERT INTO period_devices (period, address, device_id, count, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (period, address) DO UPDATE SET count = count + excluded.count, last_seq = excluded.last_seq`,
      [int(period), d.address, int(deviceId), int(d.count), int(d.first), int(d.last)],
    );
}

/**
 * The period's device summaries by device address (bytewise, as SQLite orders BLOBs), packed as
 * their 44-byte leaf preimages back to back (packedDeviceSummaries.ts): the leaves of its device
 * summaries tree. One statement, not one sql.js row (3-5 µs each) per device: the period's rows
 * are found by the primary key (the table is WITHOUT ROWID, keyed by (period, address): no
 * lookup per row), each made hex of its preimage, concatenated in address order and unhexed
 * into one BLOB. The aggregate's own ORDER BY is what guarantees the order (SQLite documents no
 * order for a plain group_concat, not even over an ordered subquery); it costs a sort of the
 * period's rows inside SQLite. packedDeviceSummariesRoot also refuses any other order.
 * Counts and seqs are at most 2^63 − 1 (SQLite integers), so %016X is their u64 big-endian.
 */
export function packedPeriodDeviceSummaries(store: Store, period: bigint): Uint8Array {
  const v = store.sql.one(
    `SELECT unhex(group_concat(hex(address) || printf('%016X%016X%016X', count, first_seq, last_seq), '' ORDER BY address))
       FROM period_devices WHERE period = ?`,
    [int(period)],
  );
  return (v?.[0] as Uint8Array | null | undefined) ?? new Uint8Array(0);
}
