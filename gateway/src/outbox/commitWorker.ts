// The thread that commits readings to the outbox.
//
// better-sqlite3 is synchronous: a commit with synchronous=FULL blocks its thread for
// the whole fsync (milliseconds on this disk). Run on the event loop, that stall
// stopped all request handling about half the time under load (measured: the gateway
// process 47% busy, the rest blocked in fsync). Here the group commit's transactions run
// on a worker thread with its own connection to the same WAL database, so the event
// loop keeps verifying and sealing the next group while the disk syncs this one.
// SQLite's own durability rules are unchanged: the answer waits for this commit.
//
// The worker is eval'd from this source (it needs nothing but better-sqlite3, whose
// path is resolved here), so it runs the same from src/ under vitest and from dist/.

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 10000");
const insert = db.prepare(workerData.insertSql);
const write = db.transaction((rows) => {
  for (const r of rows) insert.run(r);
});
parentPort.on("message", (m) => {
  if (m.type === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    write(m.rows);
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, message: String((e && e.message) || e) });
  }
});
`;

export interface CommitStatements {
  /** Named parameters; run once per row object. */
  insertSql: string;
}

export class CommitWorkerError extends Error {
  override name = "CommitWorkerError";
}

export class CommitWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #dead: Error | undefined;

  constructor(path: string, statements: CommitStatements) {
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, path, ...statements } });
    this.#worker.on("message", (m: { id: number; ok: boolean; message?: string }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.ok) w?.resolve();
      else w?.reject(new CommitWorkerError(m.message ?? "commit failed"));
    });
    const fail = (error: Error) => {
      this.#dead = error;
      for (const w of this.#waiting.values()) w.reject(error);
      this.#waiting.clear();
    };
    this.#worker.on("error", (e) => fail(new CommitWorkerError(`commit worker failed: ${e.message}`)));
    this.#worker.on("exit", () => fail(new CommitWorkerError("commit worker exited")));
  }

  /** Runs one transaction inserting every row. Resolves once it committed. */
  write(rows: Record<string, unknown>[]): Promise<void> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, rows });
    });
  }

  async close(): Promise<void> {
    if (this.#dead !== undefined) return;
    const exited = new Promise((r) => this.#worker.once("exit", r));
    this.#worker.postMessage({ type: "close" });
    await exited;
  }
}
