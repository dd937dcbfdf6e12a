// A generated lcore MVP database (the MVP's own schema), with the expected fate of each row.

import Database from "better-sqlite3";

export const MVP_SCHEMA = `
  CREATE TABLE devices (id TEXT PRIMARY KEY NOT NULL, public_key TEXT NOT NULL, registration_date INTEGER NOT NULL);
  CREATE TABLE data_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, data BLOB NOT NULL,
    submission_date INTEGER NOT NULL, transaction_hash TEXT, FOREIGN KEY(device_id) REFERENCES devices(id)
  );`;

export interface GeneratedRow {
  id: number;
  deviceId: string;
  data: Buffer | string;
  submissionDate: number;
  transactionHash: string | null;
  /** The skip reason the migration must give, or undefined when the row must be migrated. */
  skip?: string;
}

/**
 * `rows` rows over `devices` good devices, with a handful of rows that must be skipped:
 * an orphan device_id, a device_id the gateway refuses, oversize data, a future date.
 * Good rows hold JSON numbers (as the MVP stored them), with and without a transaction
 * hash; one holds bytes that are not JSON, one is stored as TEXT.
 */
export function generateMvpDatabase(path: string, rows: number, devices: number, baseDate: number): GeneratedRow[] {
  const db = new Database(path);
  // Orphan rows exist in MVP files written with foreign keys off (SQLite's default).
  db.pragma("foreign_keys = OFF");
  db.exec(MVP_SCHEMA);
  const ids = Array.from({ length: devices }, (_, i) => `sensor-${i}`);
  const insertDevice = db.prepare("INSERT INTO devices (id, public_key, registration_date) VALUES (?, ?, ?)");
  for (const id of [...ids, "bad device!"]) insertDevice.run(id, `pk-${id}`, baseDate - 86_400);
  const special = new Map<number, Omit<GeneratedRow, "id" | "submissionDate">>([
    [17, { deviceId: "ghost", data: Buffer.from("1"), transactionHash: null, skip: "device_not_in_mvp" }],
    [4_001, { deviceId: "ghost", data: Buffer.from("2"), transactionHash: null, skip: "device_not_in_mvp" }],
    [9_999, { deviceId: "ghost", data: Buffer.from("3"), transactionHash: null, skip: "device_not_in_mvp" }],
    [250, { deviceId: "bad device!", data: Buffer.from("4"), transactionHash: null, skip: "device_id_invalid" }],
    [7_500, { deviceId: "bad device!", data: Buffer.from("5"), transactionHash: null, skip: "device_id_invalid" }],
    [3_333, { deviceId: ids[0]!, data: Buffer.alloc(2000, 0x37), transactionHash: null, skip: "data_too_large" }],
    [
      6_666,
      {
        deviceId: ids[1]!,
        data: Buffer.from(JSON.stringify({ blob: "x".repeat(1100) })),
        transactionHash: null,
        skip: "data_too_large",
      },
    ],
    [8_888, { deviceId: ids[2]!, data: Buffer.from("20.5"), transactionHash: null, skip: "submission_date_in_future" }],
    [42, { deviceId: ids[3 % devices]!, data: Buffer.from([0xff, 0x00, 0xfe]), transactionHash: null }],
    [43, { deviceId: ids[4 % devices]!, data: '{"t":21.25}', transactionHash: "0xtext-row" }],
  ]);
  const insert = db.prepare(
    "INSERT INTO data_submissions (id, device_id, data, submission_date, transaction_hash) VALUES (?, ?, ?, ?, ?)",
  );
  const out: GeneratedRow[] = [];
  db.transaction(() => {
    for (let id = 1; id <= rows; id++) {
      const s = special.get(id);
      const row: GeneratedRow =
        s === undefined
          ? {
              id,
              deviceId: ids[id % devices]!,
              data: Buffer.from(String((id % 400) / 10 - 5)),
              transactionHash: id % 3 === 0 ? `0x${id.toString(16).padStart(64, "0")}` : null,
              submissionDate: baseDate + id * 30,
            }
          : {
              id,
              ...s,
              submissionDate:
                s.skip === "submission_date_in_future" ? baseDate + 10 * 365 * 86_400 : baseDate + id * 30,
            };
      insert.run(row.id, row.deviceId, row.data, row.submissionDate, row.transactionHash);
      out.push(row);
    }
  })();
  db.close();
  return out;
}
