// The outbox as the rest of the gateway sees it: query-only stores over this thread's
// connection, and two ways in, both through the writer thread (writer.ts): `append`,
// the group-committed path of readings, and `write`, one transaction of statements.

import { AggregateStore } from "./aggregateStore.js";
import { DeviceFormatStore } from "./deviceFormatStore.js";
import { openOutboxDb, type OutboxDb } from "./database.js";
import { DeviceStore } from "./deviceStore.js";
import { DisclosureStore } from "./disclosureStore.js";
import { GroupCommit, type GroupCommitStats } from "./groupCommit.js";
import { InputStore } from "./inputStore.js";
import { MirrorStore } from "./mirrorStore.js";
import { INSERT_READING_SQL, ReadingStore, readingParams, type SealedReading } from "./readingStore.js";
import { SettlementStore } from "./settlementStore.js";
import { SettingsStore } from "./settingsStore.js";
import { OutboxWriter, type Statement } from "./writer.js";

export interface OutboxOptions {
  /** A file: the writer thread opens it too, so ":memory:" cannot work. */
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
  readonly disclosures: DisclosureStore;
  readonly settlements: SettlementStore;
  readonly aggregates: AggregateStore;
  readonly settings: SettingsStore;
  readonly mirror: MirrorStore;
  readonly deviceFormats: DeviceFormatStore;
  readonly #writer: OutboxWriter;
  readonly #commit: GroupCommit<SealedReading>;
  /** Committed readings not yet packed into an input (kept in memory: read on every request). */
  #queued: number;
  #closed: Promise<void> | undefined;

  constructor(opts: OutboxOptions) {
    if (opts.path === ":memory:") throw new RangeError("the outbox must be a file on disk");
    this.db = openOutboxDb(opts.path);
    // Every write goes through the writer thread; this connection only reads.
    this.db.pragma("query_only = ON");
    this.#writer = new OutboxWriter(opts.path);
    const write = async (statements: Statement[]): Promise<void> => {
      await this.#writer.write(statements);
    };
    this.devices = new DeviceStore(this.db);
    this.readings = new ReadingStore(this.db);
    this.inputs = new InputStore(this.db, write);
    this.disclosures = new DisclosureStore(this.db, (id) => this.inputs.get(id));
    this.settlements = new SettlementStore(this.db);
    this.aggregates = new AggregateStore(this.db);
    this.settings = new SettingsStore(this.db);
    this.mirror = new MirrorStore(this.db, this.settings);
    this.deviceFormats = new DeviceFormatStore(this.db);
    this.#queued = this.readings.countQueued();
    this.#commit = new GroupCommit<SealedReading>(
      (items) => write(items.map((r) => ({ sql: INSERT_READING_SQL, params: readingParams(r) }))),
      {
        delayMs: opts.groupCommitDelayMs,
        maxItems: opts.groupCommitReadings,
        ...(opts.onCommit === undefined ? {} : { onCommit: opts.onCommit }),
      },
    );
  }

  /** Resolves once `readings` are committed and fsynced, all in one transaction (all or none). */
  async append(readings: SealedReading[]): Promise<void> {
    await this.#commit.submit(readings);
    this.#queued += readings.length;
  }

  /** Runs `statements` in one transaction on the writer thread; resolves once committed, with the rows each changed. */
  write(statements: Statement[]): Promise<number[]> {
    return this.#writer.write(statements);
  }

  /** Readings committed but not yet packed into an input. */
  get queued(): number {
    return this.#queued;
  }

  /** The batcher packed `n` queued readings into an input. */
  notePacked(n: number): void {
    this.#queued -= n;
  }

  /** `n` queued readings were withdrawn: their device's registration was rejected, or it was revoked (devices/deviceMarks.ts). */
  noteWithdrawn(n: number): void {
    this.#queued -= n;
  }

  /** Readings handed to `append` whose transaction has not committed yet. */
  get appending(): number {
    return this.#commit.pendingItems;
  }

  /** Commits what is pending, refuses more, closes the writer and the file. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#commit.close();
      await this.#writer.close();
      this.db.close();
    })();
    return this.#closed;
  }
}
