// The outbox as the rest of the gateway sees it: the stores over one database, and
// `append`, the group-committed path by which readings enter it (written by the commit
// worker's connection; everything else uses this thread's connection).

import { CommitWorker } from "./commitWorker.js";
import { openOutboxDb, type OutboxDb } from "./database.js";
import { DeviceStore } from "./deviceStore.js";
import { GroupCommit, type GroupCommitStats } from "./groupCommit.js";
import { InputStore } from "./inputStore.js";
import { INSERT_READING_SQL, ReadingStore, readingParams, type SealedReading } from "./readingStore.js";

export interface OutboxOptions {
  /** A file: the commit worker opens it too, so ":memory:" cannot work. */
  path: string;
  groupCommitDelayMs: number;
  groupCommitReadings: number;
  onCommit?: (stats: GroupCommitStats) => void;
}

export class Outbox {
  readonly db: OutboxDb;
  readonly devices: DeviceStore;
  readonly readings: ReadingStore;
  readonly inputs: InputStore;
  readonly #worker: CommitWorker;
  readonly #commit: GroupCommit<SealedReading>;
  /** Committed readings not yet packed into an input (kept in memory: read on every request). */
  #queued: number;
  #closed: Promise<void> | undefined;

  constructor(opts: OutboxOptions) {
    if (opts.path === ":memory:") throw new RangeError("the outbox must be a file on disk");
    this.db = openOutboxDb(opts.path);
    this.devices = new DeviceStore(this.db);
    this.readings = new ReadingStore(this.db);
    this.inputs = new InputStore(this.db);
    this.#queued = this.readings.countQueued();
    this.#worker = new CommitWorker(opts.path, { insertSql: INSERT_READING_SQL });
    this.#commit = new GroupCommit<SealedReading>((items) => this.#worker.write(items.map(readingParams)), {
      delayMs: opts.groupCommitDelayMs,
      maxItems: opts.groupCommitReadings,
      ...(opts.onCommit === undefined ? {} : { onCommit: opts.onCommit }),
    });
  }

  /** Resolves once `readings` are committed and fsynced, all in one transaction (all or none). */
  async append(readings: SealedReading[]): Promise<void> {
    await this.#commit.submit(readings);
    this.#queued += readings.length;
  }

  /** Readings committed but not yet packed into an input. */
  get queued(): number {
    return this.#queued;
  }

  /** The batcher packed `n` queued readings into an input. */
  notePacked(n: number): void {
    this.#queued -= n;
  }

  /** Readings handed to `append` whose transaction has not committed yet. */
  get appending(): number {
    return this.#commit.pendingItems;
  }

  /** Commits what is pending, refuses more, closes the worker and the file. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#commit.close();
      await this.#worker.close();
      this.db.close();
    })();
    return this.#closed;
  }
}
