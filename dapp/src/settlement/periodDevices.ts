// What each device sent in the open period (PROTOCOL §9.1), kept as the records arrive: one
// period_devices row per device of the period, upserted once per device of each accepted
// batch (O(records of the batch)), so the settling input reads at most one row per
// registered device instead of grouping the period's records. The rows of a period are
// exactly what grouping its records would give (count, first and last seq: seqs rise with
// ids per device); once the period is settled they are dead and the prune steps delete
// them (pruneSteps.ts).

import type { DeviceSummary } from "@lcore/protocol/deviceSummaries";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

/** A batch's accepted rows, in id order, joined the open period `period`. */
export function notePeriodDevices(
  store: Store,
  period: bigint,
  rows: readonly { deviceId: bigint; seq: bigint }[],
): void {
  // Map order is first-appearance order in the batch; each device's row is independent of it.
  const byDevice = new Map<bigint, { count: bigint; first: bigint; last: bigint }>();
  for (const r of rows) {
    const d = byDevice.get(r.deviceId);
    if (d === undefined) byDevice.set(r.deviceId, { count: 1n, first: r.seq, last: r.seq });
    else {
      d.count++;
      d.last = r.seq;
    }
  }
  for (const [deviceId, d] of byDevice)
    store.sql.run(
      `INSERT INTO period_devices (period, device_id, count, first_seq, last_seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (period, device_id) DO UPDATE SET count = count + excluded.count, last_seq = excluded.last_seq`,
      [int(period), int(deviceId), int(d.count), int(d.first), int(d.last)],
    );
}

/** The period's device summaries by device address (bytewise, as SQLite orders BLOBs): the leaves of its device summaries tree. */
export function periodDeviceSummaries(store: Store, period: bigint): DeviceSummary[] {
  const out: DeviceSummary[] = [];
  store.sql.all(
    "SELECT d.address, p.count, p.first_seq, p.last_seq FROM period_devices p JOIN devices d ON d.id = p.device_id WHERE p.period = ? ORDER BY d.address",
    [int(period)],
    (v) => {
      out.push({
        device: v[0] as Uint8Array,
        count: v[1] as bigint,
        firstSeq: v[2] as bigint,
        lastSeq: v[3] as bigint,
      });
    },
  );
  return out;
}
