// Records accepted per device and disclosure day (PROTOCOL §3.5, MAX_DEVICE_DAY_RECORDS): a
// 0x11 disclosure opens every record of its day in one input, so the day is capped. One row
// per (device, day) with records, read once per device-day of a batch and written once at
// its end; rows of days before the disclosure window are dropped when settled records are
// pruned (settlement/prune.ts), as those days can no longer be disclosed.

import { DISCLOSURE_PERIOD_SECONDS, MAX_DEVICE_DAY_RECORDS } from "@lcore/protocol/bounds";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

/** A device's disclosure day of a record timestamp. */
export const dayOf = (timestamp: bigint): bigint => timestamp / DISCLOSURE_PERIOD_SECONDS;

/** Records of `deviceId` accepted in `day` so far. */
export function deviceDayCount(store: Store, deviceId: bigint, day: bigint): bigint {
  const v = store.sql.one("SELECT count FROM device_days WHERE device_id = ? AND day = ?", [int(deviceId), int(day)]);
  return v === null ? 0n : (v[0] as bigint);
}

/** Set the count of (device, day), after a batch. */
export function putDeviceDayCount(store: Store, deviceId: bigint, day: bigint, count: bigint): void {
  store.sql.run(
    "INSERT INTO device_days (device_id, day, count) VALUES (?, ?, ?) ON CONFLICT (device_id, day) DO UPDATE SET count = excluded.count",
    [int(deviceId), int(day), int(count)],
  );
}

/** Whether one more record fits the day. */
export const dayHasRoom = (count: bigint): boolean => count < BigInt(MAX_DEVICE_DAY_RECORDS);
