// The lcore MVP database, opened read-only: devices(id, public_key, registration_date) and
// data_submissions(id, device_id, data BLOB, submission_date, transaction_hash). SQLite's
// columns are dynamically typed, so values come back as stored (integers as bigint) and the
// migration judges each one.

import Database from "better-sqlite3";

export interface MvpSourceRow {
  rowId: bigint;
  deviceId: string;
  data: unknown;
  submissionDate: unknown;
  transactionHash: unknown;
}

interface RawRow {
  id: bigint;
  device_id: unknown;
  data: unknown;
  submission_date: unknown;
  transaction_hash: unknown;
}

const COLUMNS = "id, device_id, data, submission_date, transaction_hash";

/** device_id as the gateway names it: TEXT as is, an INTEGER in decimal. */
export const deviceIdOf = (v: unknown): string =>
  v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : String(v);

export class MvpDatabase {
  readonly #db: Database.Database;
  readonly #first;
  readonly #after;

  constructor(path: string) {
    this.#db = new Database(path, { readonly: true, fileMustExist: true });
    this.#db.defaultSafeIntegers(true);
    this.#first = this.#db.prepare<[number], RawRow>(`SELECT ${COLUMNS} FROM data_submissions ORDER BY id LIMIT ?`);
    this.#after = this.#db.prepare<[bigint, number], RawRow>(
      `SELECT ${COLUMNS} FROM data_submissions WHERE id > ? ORDER BY id LIMIT ?`,
    );
  }

  deviceIds(): string[] {
    return this.#db
      .prepare<[], { id: unknown }>("SELECT id FROM devices ORDER BY id")
      .all()
      .map((r) => deviceIdOf(r.id));
  }

  rowCount(): number {
    return Number(this.#db.prepare<[], { n: bigint }>("SELECT count(*) AS n FROM data_submissions").get()!.n);
  }

  /** Up to `limit` rows after row id `after` (from the first when null), in row id order. */
  rowsAfter(after: bigint | null, limit: number): MvpSourceRow[] {
    const raw = after === null ? this.#first.all(limit) : this.#after.all(after, limit);
    return raw.map((r) => ({
      rowId: r.id,
      deviceId: deviceIdOf(r.device_id),
      data: r.data,
      submissionDate: r.submission_date,
      transactionHash: r.transaction_hash,
    }));
  }

  /** Every (row id, device_id), in row id order: what the reconciliation accounts for. */
  *rowIds(): Generator<{ rowId: bigint; deviceId: string }> {
    const stmt = this.#db.prepare<[], { id: bigint; device_id: unknown }>(
      "SELECT id, device_id FROM data_submissions ORDER BY id",
    );
    for (const r of stmt.iterate()) yield { rowId: r.id, deviceId: deviceIdOf(r.device_id) };
  }

  close(): void {
    this.#db.close();
  }
}
