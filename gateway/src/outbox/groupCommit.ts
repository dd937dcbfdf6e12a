// Group commit: many writers, one transaction, one fsync.
//
// With synchronous=FULL every SQLite commit costs an fsync (about 2,400 single-row
// commits/s measured on the bench machine's disk). The HTTP handlers therefore do not
// commit: they hand their rows to `submit`, which resolves only once the transaction
// holding them has committed. One group is written at a time; everything submitted
// while it is being written (and fsynced, off the event loop: see writer.ts)
// forms the next group. So the group size adapts to the load by itself, the fsync cost
// is paid once per group instead of once per reading, and no answer runs ahead of the disk.

export interface GroupCommitStats {
  items: number;
  seconds: number;
}

export class GroupCommitClosedError extends Error {
  override name = "GroupCommitClosedError";
}

interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #delayMs: number;
  readonly #maxItems: number;
  readonly #onCommit: (stats: GroupCommitStats) => void;
  #pending: Pending<T>[] = [];
  #pendingItems = 0;
  #timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  /** `write` commits the whole group in one transaction; if it rejects, every submitter of the group is rejected. */
  constructor(
    write: (items: T[]) => Promise<void>,
    opts: { delayMs: number; maxItems: number; onCommit?: (s: GroupCommitStats) => void },
  ) {
    this.#write = write;
    this.#delayMs = opts.delayMs;
    this.#maxItems = opts.maxItems;
    this.#onCommit = opts.onCommit ?? (() => {});
  }

  /** Resolves after `items` are durably committed, all in the same transaction. */
  submit(items: T[]): Promise<void> {
    if (this.#closed) return Promise.reject(new GroupCommitClosedError("group commit is closed"));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ items, resolve, reject });
      this.#pendingItems += items.length;
      this.#schedule();
    });
  }

  /** Items submitted whose transaction has not committed yet. */
  get pendingItems(): number {
    return this.#pendingItems;
  }

  #schedule(): void {
    // A group is being written: this one waits for it and then goes at once.
    if (this.#writing !== undefined || this.#timer !== undefined) return;
    // setImmediate still lets the requests already read from the sockets join the group.
    this.#timer =
      this.#delayMs <= 0
        ? { immediate: setImmediate(() => this.#flush()) }
        : { timeout: setTimeout(() => this.#flush(), this.#delayMs) };
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#pending.length === 0 || this.#writing !== undefined) return;
    const group: Pending<T>[] = [];
    const items: T[] = [];
    while (
      this.#pending.length > 0 &&
      (items.length === 0 || items.length + this.#pending[0]!.items.length <= this.#maxItems)
    ) {
      const p = this.#pending.shift()!;
      group.push(p);
      for (const item of p.items) items.push(item);
    }
    const started = performance.now();
    this.#writing = this.#write(items)
      .then(
        () => {
          this.#pendingItems -= items.length;
          this.#onCommit({ items: items.length, seconds: (performance.now() - started) / 1000 });
          for (const p of group) p.resolve();
        },
        (error: unknown) => {
          this.#pendingItems -= items.length;
          for (const p of group) p.reject(error);
        },
      )
      .finally(() => {
        this.#writing = undefined;
        if (this.#pending.length > 0) this.#flush();
      });
  }

  /** Commits everything submitted so far, then refuses anything new: nothing half-written is left behind. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) {
      if ("timeout" in this.#timer) clearTimeout(this.#timer.timeout);
      else clearImmediate(this.#timer.immediate);
      this.#timer = undefined;
    }
    while (this.#writing !== undefined || this.#pending.length > 0) {
      if (this.#writing === undefined) this.#flush();
      await this.#writing;
    }
  }
}
