// `lcore migrate`: an lcore MVP database into the rollup through the gateway (PROTOCOL §7.7).
//
//   1. register every MVP device_id (POST /v1/migration/devices; idempotent)
//   2. send data_submissions in row id order, in batches, from after the journal's last row
//      (POST /v1/migration/readings); record each row's outcome in the journal, one
//      transaction per batch. A batch cut by a crash is sent again: its stored rows answer
//      "duplicate" and count as migrated.
//   3. optionally wait for the dApp's verdict on every migrated row (POST /v1/migration/status)
//   4. reconcile every MVP row against the journal (report.ts)

import { MAX_READING_PAYLOAD } from "@lcore/protocol/bounds";
import { toHex } from "@lcore/protocol/bytes";
import { GatewayClient } from "./gatewayClient.js";
import { Journal, type JournalDevice, type JournalRow } from "./journal.js";
import { type MvpSourceRow, MvpDatabase } from "./mvpDatabase.js";
import { MVP_DEVICE_ID, type SkipReason } from "@lcore/protocol/mvpMigration";
import { MAX_TX_HASH_BYTES, provenanceLength } from "@lcore/protocol/mvpMigration";
import { type MigrationReport, reconcile } from "./report.js";

export interface MigrateOptions {
  /** The MVP SQLite file (opened read-only). */
  from: string;
  gateway: string;
  token: string;
  /** Default `${from}.lcore-migrate.db`. */
  journal?: string;
  /** Rows per request; at most the gateway's migration rows bound (default 500). */
  batchRows?: number;
  /** Wait this long for the dApp's verdict on every migrated row (s); 0: do not wait. */
  waitS?: number;
  /** Keep retrying a gateway that is down or busy this long (s). Default 300. */
  retryForS?: number;
  onProgress?: (p: MigrateProgress) => void;
}

export interface MigrateProgress {
  phase: "devices" | "rows" | "waiting";
  total: number;
  done: number;
  migrated: number;
  skipped: number;
  decided?: number;
  rowsPerSecond: number;
}

interface RowAnswer {
  row_id: string;
  outcome: "migrated" | "duplicate" | "skipped";
  reason?: string;
  device?: string;
  seq?: string;
  status?: string;
}

const DEVICES_PER_REQUEST = 100;
const STATUS_PER_REQUEST = 1000;

/** The bytes of a data BLOB as stored: BLOB as is, TEXT as UTF-8, a number as its decimal text. */
function dataBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string" || typeof v === "bigint") return new TextEncoder().encode(String(v));
  if (typeof v === "number") return new TextEncoder().encode(String(v));
  return undefined;
}

function dateOf(v: unknown): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

export async function migrate(o: MigrateOptions): Promise<MigrationReport> {
  const started = Date.now();
  const mvp = new MvpDatabase(o.from);
  const journal = new Journal(o.journal ?? `${o.from}.lcore-migrate.db`);
  try {
    const client = new GatewayClient({ url: o.gateway, token: o.token, retryForMs: (o.retryForS ?? 300) * 1000 });
    const info = await client.get<{ app: string; chainId: string }>("/v1/info");
    journal.bind({ app: info.app.toLowerCase(), chainId: info.chainId });
    const total = mvp.rowCount();
    const progress: MigrateProgress = { phase: "devices", total, done: 0, migrated: 0, skipped: 0, rowsPerSecond: 0 };

    // 1. Devices.
    const devices = journal.devices();
    // Skipped here with the route's own rule: an id the route would refuse could fail its whole request (body bound).
    const invalid = mvp.deviceIds().filter((id) => !devices.has(id) && !MVP_DEVICE_ID.test(id));
    journal.recordDevices(invalid.map((deviceId) => ({ deviceId, device: null, reason: "device_id_invalid" })));
    for (const deviceId of invalid) devices.set(deviceId, { deviceId, device: null, reason: "device_id_invalid" });
    const todo = mvp.deviceIds().filter((id) => !devices.has(id));
    for (let i = 0; i < todo.length; i += DEVICES_PER_REQUEST) {
      const chunk = todo.slice(i, i + DEVICES_PER_REQUEST);
      const res = await client.post<{ devices: { device_id: string; device?: string; reason?: string }[] }>(
        "/v1/migration/devices",
        { devices: chunk.map((device_id) => ({ device_id })) },
      );
      const recorded: JournalDevice[] = res.devices.map((d) => ({
        deviceId: d.device_id,
        device: d.device ?? null,
        reason: d.reason ?? null,
      }));
      journal.recordDevices(recorded);
      for (const d of recorded) devices.set(d.deviceId, d);
      o.onProgress?.(progress);
    }

    // 2. Rows.
    progress.phase = "rows";
    for (const r of journal.rows()) {
      progress.done++;
      if (r.outcome === "migrated") progress.migrated++;
      else progress.skipped++;
    }
    const resumedAt = progress.done;
    const batchRows = o.batchRows ?? 500;
    let cursor = journal.cursor();
    for (;;) {
      const batch = mvp.rowsAfter(cursor, batchRows);
      if (batch.length === 0) break;
      const outcomes = await migrateBatch(client, batch, devices);
      journal.recordRows(outcomes);
      cursor = batch.at(-1)!.rowId;
      for (const r of outcomes) {
        if (r.outcome === "migrated") progress.migrated++;
        else progress.skipped++;
      }
      progress.done += batch.length;
      progress.rowsPerSecond = (progress.done - resumedAt) / Math.max(0.001, (Date.now() - started) / 1000);
      o.onProgress?.(progress);
    }

    // 3. The dApp's verdicts. Inputs are processed in order, so the lowest undecided rows are
    // asked about first, and a round stops at the first page that is not all decided.
    if ((o.waitS ?? 0) > 0) {
      progress.phase = "waiting";
      progress.decided = 0;
      const until = Date.now() + o.waitS! * 1000;
      for (;;) {
        const undecided = journal.undecided(STATUS_PER_REQUEST);
        if (undecided.length === 0 || Date.now() > until) break;
        const res = await client.post<{ readings: { status: string; reason?: string }[] }>("/v1/migration/status", {
          readings: undecided.map((r) => ({ device: r.device!, seq: r.seq! })),
        });
        // A settled reading was accepted first: for the reconciliation it counts as accepted.
        const decided = res.readings.map((s, i) => ({
          rowId: undecided[i]!.rowId,
          status: s.status === "settled" ? "accepted" : s.status,
          reason: s.reason ?? null,
        }));
        journal.recordStatuses(decided);
        const final = decided.filter((s) => s.status === "accepted" || s.status === "rejected").length;
        progress.decided += final;
        o.onProgress?.(progress);
        if (final < decided.length) await new Promise((r) => setTimeout(r, 500));
      }
    }

    return reconcile(mvp, journal, {
      from: o.from,
      app: info.app,
      waited: (o.waitS ?? 0) > 0,
      seconds: (Date.now() - started) / 1000,
      sentRows: progress.done - resumedAt,
    });
  } finally {
    journal.close();
    mvp.close();
  }
}

/** One batch: rows the CLI can judge alone are skipped here; the rest go to the gateway, which decides. */
async function migrateBatch(
  client: GatewayClient,
  batch: MvpSourceRow[],
  devices: Map<string, JournalDevice>,
): Promise<JournalRow[]> {
  const outcomes: (JournalRow | undefined)[] = []; // undefined: sent, filled from the gateway's answer
  const sent: { row: MvpSourceRow; index: number }[] = [];
  const body: Record<string, unknown>[] = [];
  const skip = (row: MvpSourceRow, reason: SkipReason | string) =>
    outcomes.push({
      rowId: row.rowId,
      deviceId: row.deviceId,
      outcome: "skipped",
      reason,
      device: null,
      seq: null,
      status: null,
      resent: false,
    });
  for (const row of batch) {
    const device = devices.get(row.deviceId);
    if (device === undefined) {
      skip(row, "device_not_in_mvp");
      continue;
    }
    if (device.device === null) {
      skip(row, device.reason ?? "device_id_invalid");
      continue;
    }
    const data = dataBytes(row.data);
    if (data === undefined) {
      skip(row, "bad_data");
      continue;
    }
    const date = dateOf(row.submissionDate);
    if (date === undefined) {
      skip(row, "bad_submission_date");
      continue;
    }
    if (row.transactionHash !== null && typeof row.transactionHash !== "string") {
      skip(row, "bad_transaction_hash");
      continue;
    }
    // Checked here too so that nothing oversize is ever sent; the gateway checks the same bounds.
    const tx = row.transactionHash === null ? 0 : new TextEncoder().encode(row.transactionHash).length;
    if (tx > MAX_TX_HASH_BYTES) {
      skip(row, "bad_transaction_hash");
      continue;
    }
    if (provenanceLength(tx, data.length) > MAX_READING_PAYLOAD) {
      skip(row, "data_too_large");
      continue;
    }
    sent.push({ row, index: outcomes.length });
    outcomes.push(undefined);
    body.push({
      device_id: row.deviceId,
      row_id: row.rowId.toString(),
      submission_date: date.toString(),
      transaction_hash: row.transactionHash,
      data: toHex(data),
    });
  }
  if (sent.length > 0) {
    const res = await client.post<{ rows: RowAnswer[] }>("/v1/migration/readings", { rows: body });
    res.rows.forEach((a, i) => {
      const { row, index } = sent[i]!;
      if (a.row_id !== row.rowId.toString())
        throw new Error(`the gateway answered row ${a.row_id} for row ${row.rowId}`);
      outcomes[index] = {
        rowId: row.rowId,
        deviceId: row.deviceId,
        outcome: a.outcome === "skipped" ? "skipped" : "migrated",
        reason: a.reason ?? null,
        device: a.device ?? null,
        seq: a.seq ?? null,
        status: a.status ?? null,
        resent: a.outcome === "duplicate",
      };
    });
  }
  if (outcomes.some((r) => r === undefined))
    throw new Error(`the gateway answered ${sent.length} rows with fewer outcomes`);
  return outcomes as JournalRow[];
}
