// The migration's own record, beside the MVP file (PATH.lcore-migrate.db unless --journal):
// one row per MVP row once the gateway has answered for it (migrated or skipped, with the
// reason), the device of each MVP device_id, and the dApp's verdicts once waited for.
// Resuming starts after its highest row id; the report is computed from it. A SQLite file,
// synchronous=FULL, one transaction per batch; locking_mode=EXCLUSIVE keeps a second
// `lcore migrate` off the same journal.

import Database from "better-sqlite3";

export type RowOutcome = "migrated" | "skipped";

export interface JournalRow {
  rowId: bigint;
  deviceId: string;
  outcome: RowOutcome;
  reason: string | null;
  device: string | null;
  seq: string | null;
  status: string | null;
  /** The gateway answered "duplicate": stored by an earlier, interrupted run. */
  resent: boolean;
}

export interface JournalDevice {
  deviceId: string;
  device: string | null;
  reason: string | null;
}

interface RawRow {
  row_id: bigint;
  device_id: string;
  outcome: RowOutcome;
  reason: string | null;
  device: string | null;
  seq: string | null;
  status: string | null;
  resent: bigint;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, device TEXT, reason TEXT);
  CREATE TABLE IF NOT EXISTS rows (
    row_id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT,
    device TEXT, seq TEXT, status TEXT, resent INTEGER NOT NULL DEFAULT 0
  );`;

const fromRaw = (r: RawRow): JournalRow => ({
  rowId: r.row_id,
  deviceId: r.device_id,
  outcome: r.outcome,
  reason: r.reason,
  device: r.device,
  seq: r.seq,
  status: r.status,
  resent: r.resent !== 0n,
});

export class Journal {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma("locking_mode = EXCLUSIVE");
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.defaultSafeIntegers(true);
    this.#db.exec(SCHEMA);
  }

  /** Ties the journal to one application: resuming against another would mix two migrations. */
  bind(meta: Record<string, string>): void {
    const get = this.#db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?");
    const put = this.#db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(meta)) {
        const stored = get.get(key)?.value;
        if (stored === undefined) put.run(key, value);
        else if (stored !== value) throw new Error(`the journal belongs to ${key} ${stored}, not ${value}`);
      }
    })();
  }

  devices(): Map<string, JournalDevice> {
    const rows = this.#db
      .prepare<[], { device_id: string; device: string | null; reason: string | null }>("SELECT * FROM devices")
      .all();
    return new Map(rows.map((r) => [r.device_id, { deviceId: r.device_id, device: r.device, reason: r.reason }]));
  }

  recordDevices(devices: JournalDevice[]): void {
    const put = this.#db.prepare("INSERT OR REPLACE INTO devices (device_id, device, reason) VALUES (?, ?, ?)");
    this.#db.transaction(() => {
      for (const d of devices) put.run(d.deviceId, d.device, d.reason);
    })();
  }

  /** The highest row id answered for; the next run starts after it. */
  cursor(): bigint | null {
    return this.#db.prepare<[], { m: bigint | null }>("SELECT max(row_id) AS m FROM rows").get()!.m;
  }

  recordRows(rows: JournalRow[]): void {
    const put =
      this.#db.prepare(`INSERT OR REPLACE INTO rows (row_id, device_id, outcome, reason, device, seq, status, resent)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#db.transaction(() => {
      for (const r of rows)
        put.run(r.rowId, r.deviceId, r.outcome, r.reason, r.device, r.seq, r.status, r.resent ? 1 : 0);
    })();
  }

  /** Migrated rows whose dApp verdict is not known yet, lowest row id first. */
  undecided(limit: number): JournalRow[] {
    return this.#db
      .prepare<[number], RawRow>(
        "SELECT * FROM rows WHERE outcome = 'migrated' AND (status IS NULL OR status NOT IN ('accepted', 'rejected')) ORDER BY row_id LIMIT ?",
      )
      .all(limit)
      .map(fromRaw);
  }

  recordStatuses(statuses: { rowId: bigint; status: string; reason: string | null }[]): void {
    const put = this.#db.prepare("UPDATE rows SET status = ?, reason = coalesce(?, reason) WHERE row_id = ?");
    this.#db.transaction(() => {
      for (const s of statuses) put.run(s.status, s.reason, s.rowId);
    })();
  }

  /** Every journal row, in row id order. */
  *rows(): Generator<JournalRow> {
    for (const r of this.#db.prepare<[], RawRow>("SELECT * FROM rows ORDER BY row_id").iterate()) yield fromRaw(r);
  }

  close(): void {
    this.#db.close();
  }
}
