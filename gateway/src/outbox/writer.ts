// The outbox's only writer: a worker thread with its own connection to the WAL database.
//
// better-sqlite3 is synchronous: a commit with synchronous=FULL blocks its thread for
// the whole fsync (milliseconds on this disk, tens under I/O contention). Run on the
// event loop, that stall stopped all request handling about half the time under load
// (measured: the gateway process 47% busy, the rest blocked in fsync). So every write —
// the readings' group commits, new devices and inputs, the submitter's write-ahead, the
// follower's verdicts — goes here as a list of statements run in one transaction, and the
// event loop keeps verifying and sealing meanwhile. Messages run in the order they were
// sent. SQLite's durability rules are unchanged: each caller awaits its commit. The main
// thread's connection is query-only.
//
// The worker is eval'd from this source (it needs nothing but better-sqlite3, whose path
// is resolved here), so it runs the same from src/ under vitest and from dist/.

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("foreign_keys = ON");
db.pragma("busy_timeout = 10000");
const prepared = new Map();
const statement = (sql) => {
  let s = prepared.get(sql);
  if (s === undefined) prepared.set(sql, (s = db.prepare(sql)));
  return s;
};
const run = db.transaction((statements) => {
  const changes = [];
  for (const st of statements) {
    const info = Array.isArray(st.params) ? statement(st.sql).run(...st.params) : statement(st.sql).run(st.params);
    if (st.expect !== undefined && info.changes !== st.expect) {
      const e = new Error("expected " + st.expect + " changed rows, got " + info.changes + ": " + st.sql.split("\\n")[0]);
      e.conflict = true;
      throw e;
    }
    changes.push(info.changes);
  }
  return changes;
});
parentPort.on("message", (m) => {
  if (m.type === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const changes = run(m.statements);
    parentPort.postMessage({ id: m.id, ok: true, changes });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, conflict: Boolean(e && e.conflict), message: String((e && e.message) || e) });
  }
});
`;

/** One SQL statement of a write transaction; `expect`: the exact number of rows it must change, or the whole transaction rolls back. */
export interface Statement {
  sql: string;
  params: Record<string, unknown> | unknown[];
  expect?: number;
}

export class OutboxWriteError extends Error {
  override name = "OutboxWriteError";
}

/** A statement's `expect` did not hold: the rows changed under the writer's caller; nothing was written. */
export class OutboxConflictError extends OutboxWriteError {
  override name = "OutboxConflictError";
}

export class OutboxWriter {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (changes: number[]) => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #dead: Error | undefined;

  constructor(path: string) {
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, path } });
    this.#worker.on(
      "message",
      (m: { id: number; ok: boolean; changes?: number[]; message?: string; conflict?: boolean }) => {
        const w = this.#waiting.get(m.id);
        this.#waiting.delete(m.id);
        if (m.ok) w?.resolve(m.changes ?? []);
        else w?.reject(new (m.conflict ? OutboxConflictError : OutboxWriteError)(m.message ?? "write failed"));
      },
    );
    const fail = (error: Error) => {
      this.#dead = error;
      for (const w of this.#waiting.values()) w.reject(error);
      this.#waiting.clear();
    };
    this.#worker.on("error", (e) => fail(new OutboxWriteError(`outbox writer failed: ${e.message}`)));
    this.#worker.on("exit", () => fail(new OutboxWriteError("outbox writer exited")));
  }

  /**
   * Runs `statements` in one transaction; resolves once it committed (fsynced) with the
   * rows each statement changed, rejects and changes nothing if any fails.
   */
  write(statements: Statement[]): Promise<number[]> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    if (statements.length === 0) return Promise.resolve([]);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, statements });
    });
  }

  async close(): Promise<void> {
    if (this.#dead !== undefined) return;
    const exited = new Promise((r) => this.#worker.once("exit", r));
    this.#worker.postMessage({ type: "close" });
    await exited;
  }
}
