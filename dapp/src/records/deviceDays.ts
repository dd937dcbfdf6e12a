// Records accepted per device and disclosure day (PROTOCOL §3.5, MAX_DEVICE_DAY_RECORDS): a
// 0x11 disclosure opens every record of its day in one input, so the day is capped. One row
// per (device, day) with records, read once per device-day of a batch and written once at
// its end; rows of days before the disclosure window are dropped when settled records are
// pruned (settlement/prune.ts), as those days can no longer be disclosed: at once for every
// read here (the cut), in steps for the rows (settlement/pruneSteps.ts).

import { DISCLOSURE_PERIOD_SECONDS, MAX_DEVICE_DAY_RECORDS } from "@lcore/protocol/bounds";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

/** A device's disclosure day of a record timestamp. */
export const dayOf = (timestamp: bigint): bigint => timestamp / DISCLOSURE_PERIOD_SECONDS;

/**
 * Records of `deviceId` accepted in `day` so far. A day before the window cut counts only what
 * was accepted since that cut (device_days_late of the current epoch): the cut dropped the rest,
 * whether or not a prune step has deleted its row yet (settlement/pruneSteps.ts).
 */
export function deviceDayCount(store: Store, deviceId: bigint, day: bigint): bigint {
  const v = store.sql.one(
    `SELECT CASE WHEN ?2 >= s.cut_day
         THEN (SELECT count FROM device_days WHERE device_id = ?1 AND day = ?2)
         ELSE (SELECT count FROM device_days_late WHERE device_id = ?1 AND day = ?2 AND epoch = s.epoch) END
       FROM prune_steps s WHERE s.id = 1`,
    [int(deviceId), int(day)],
  );
  return v === null || v[0] === null ? 0n : (v[0] as bigint);
}

/** Set the count of (device, day), after a batch: a day before the cut in device_days_late, tagged with the epoch. */
export function putDeviceDayCount(store: Store, deviceId: bigint, day: bigint, count: bigint): void {
  store.sql.run(
    `INSERT INTO device_days (device_id, day, count) SELECT ?1, ?2, ?3 FROM prune_steps WHERE id = 1 AND ?2 >= cut_day
       ON CONFLICT (device_id, day) DO UPDATE SET count = excluded.count`,
    [int(deviceId), int(day), int(count)],
  );
  store.sql.run(
    `INSERT INTO device_days_late (device_id, day, count, epoch) SELECT ?1, ?2, ?3, epoch FROM prune_steps WHERE id = 1 AND ?2 < cut_day
       ON CONFLICT (device_id, day) DO UPDATE SET count = excluded.count, epoch = excluded.epoch`,
    [int(deviceId), int(day), int(count)],
  );
}

/** Whether one more record fits the day. */
export const dayHasRoom = (count: bigint): boolean => count < BigInt(MAX_DEVICE_DAY_RECORDS);
