// The reconciliation report: every row of the MVP's data_submissions, matched by row id with
// the journal, is migrated or skipped with a reason; any other is unaccounted (a run that
// stopped early), and so is a migrated row the dApp rejected or has not decided on yet when
// the run waited for verdicts.

import type { Journal, JournalRow } from "./journal.js";
import type { MvpDatabase } from "./mvpDatabase.js";

export interface DeviceCounts {
  device_id: string;
  device: string | null;
  rows: number;
  migrated: number;
  skipped: number;
  accepted?: number;
}

export interface MigrationReport {
  from: string;
  app: string;
  rows: number;
  migrated: number;
  skipped: number;
  unaccounted: number;
  /** Migrated rows the gateway already held: sent again after an interruption. */
  resent: number;
  skippedByReason: Record<string, number>;
  skippedRows: { row_id: string; device_id: string; reason: string }[];
  /** The first 100 row ids with no outcome. */
  unaccountedRows: string[];
  /** With --wait: the dApp's verdicts on the migrated rows. */
  dapp?: { accepted: number; rejected: Record<string, number>; undecided: number };
  devices: DeviceCounts[];
  seconds: number;
  /** Rows this run sent or judged, per second. */
  rowsPerSecond: number;
}

export function reconcile(
  mvp: MvpDatabase,
  journal: Journal,
  meta: { from: string; app: string; waited: boolean; seconds: number; sentRows: number },
): MigrationReport {
  const report: MigrationReport = {
    from: meta.from,
    app: meta.app,
    rows: 0,
    migrated: 0,
    skipped: 0,
    unaccounted: 0,
    resent: 0,
    skippedByReason: {},
    skippedRows: [],
    unaccountedRows: [],
    devices: [],
    seconds: Math.round(meta.seconds * 10) / 10,
    rowsPerSecond: Math.round(meta.sentRows / Math.max(meta.seconds, 0.001)),
  };
  const dapp = { accepted: 0, rejected: {} as Record<string, number>, undecided: 0 };
  const perDevice = new Map<string, DeviceCounts>();
  const devices = journal.devices();
  for (const [id, d] of devices)
    perDevice.set(id, { device_id: id, device: d.device, rows: 0, migrated: 0, skipped: 0 });

  // Merge join: both sides in row id order.
  const journalRows = journal.rows();
  let j: IteratorResult<JournalRow> = journalRows.next();
  for (const { rowId, deviceId } of mvp.rowIds()) {
    report.rows++;
    while (!j.done && j.value.rowId < rowId) j = journalRows.next(); // a row deleted from the MVP since: not counted
    const counts = perDevice.get(deviceId) ?? { device_id: deviceId, device: null, rows: 0, migrated: 0, skipped: 0 };
    perDevice.set(deviceId, counts);
    counts.rows++;
    const r = !j.done && j.value.rowId === rowId ? j.value : undefined;
    if (r === undefined) {
      report.unaccounted++;
      if (report.unaccountedRows.length < 100) report.unaccountedRows.push(rowId.toString());
    } else if (r.outcome === "skipped") {
      report.skipped++;
      counts.skipped++;
      const reason = r.reason ?? "unknown";
      report.skippedByReason[reason] = (report.skippedByReason[reason] ?? 0) + 1;
      report.skippedRows.push({ row_id: rowId.toString(), device_id: deviceId, reason });
    } else {
      report.migrated++;
      counts.migrated++;
      if (r.resent) report.resent++;
      if (meta.waited) {
        if (r.status === "accepted") {
          dapp.accepted++;
          counts.accepted = (counts.accepted ?? 0) + 1;
        } else if (r.status === "rejected")
          dapp.rejected[r.reason ?? "unknown"] = (dapp.rejected[r.reason ?? "unknown"] ?? 0) + 1;
        else dapp.undecided++;
      }
    }
  }
  journalRows.return(undefined); // ends the statement, so the journal can close
  if (meta.waited) report.dapp = dapp;
  report.devices = [...perDevice.values()].sort((a, b) =>
    a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : 0,
  );
  return report;
}

/** Every row accounted for and, when verdicts were awaited, every migrated row accepted. */
export function reconciled(r: MigrationReport): boolean {
  return (
    r.unaccounted === 0 &&
    r.migrated + r.skipped === r.rows &&
    (r.dapp === undefined || (r.dapp.accepted === r.migrated && r.dapp.undecided === 0))
  );
}

export function formatReport(r: MigrationReport): string {
  const lines = [
    `${reconciled(r) ? "reconciled" : "NOT RECONCILED"}: ${r.rows} MVP rows → ${r.migrated} migrated (${r.resent} resent after an interruption), ${r.skipped} skipped, ${r.unaccounted} unaccounted`,
  ];
  for (const [reason, n] of Object.entries(r.skippedByReason)) lines.push(`  skipped ${reason}: ${n}`);
  if (r.dapp !== undefined) {
    const rejected = Object.entries(r.dapp.rejected)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    lines.push(
      `  dApp: ${r.dapp.accepted} accepted, ${r.dapp.undecided} undecided${rejected === "" ? "" : `, rejected: ${rejected}`}`,
    );
  }
  lines.push(`  ${r.devices.length} devices; ${r.seconds} s, ${r.rowsPerSecond} rows/s`);
  return lines.join("\n");
}
