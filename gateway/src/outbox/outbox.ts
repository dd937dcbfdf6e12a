// The outbox as the rest of the gateway sees it: the stores over one database, and
// `append`, the group-committed path by which readings enter it.

import { openOutboxDb, type OutboxDb } from "./database.js";
import { DeviceStore } from "./deviceStore.js";
import { GroupCommit, type GroupCommitStats } from "./groupCommit.js";
import { InputStore } from "./inputStore.js";
import { ReadingStore, type SealedReading } from "./readingStore.js";

export interface OutboxOptions {
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
  readonly #commit: GroupCommit<SealedReading>;
  /** Committed readings not yet packed into an input (kept in memory: read on every request). */
  #queued: number;

  constructor(opts: OutboxOptions) {
    this.db = openOutboxDb(opts.path);
    this.devices = new DeviceStore(this.db);
    this.readings = new ReadingStore(this.db);
    this.inputs = new InputStore(this.db);
    this.#queued = this.readings.countQueued();
    const write = this.db.transaction((items: SealedReading[]) => {
      const last = new Map<string, { device: Uint8Array; seq: bigint }>();
      for (const r of items) {
        this.readings.insert(r);
        const key = Buffer.from(r.device).toString("hex");
        const seen = last.get(key);
        if (seen === undefined || seen.seq < r.seq) last.set(key, { device: r.device, seq: r.seq });
      }
      for (const { device, seq } of last.values()) this.devices.advanceLastSeq(device, seq);
    });
    this.#commit = new GroupCommit<SealedReading>((items) => write(items), {
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

  /** Readings handed to `append` whose transaction has not run yet. */
  get appending(): number {
    return this.#commit.pendingItems;
  }

  /** Commits what is pending, refuses more, closes the file. */
  close(): void {
    this.#commit.close();
    this.db.close();
  }
}
