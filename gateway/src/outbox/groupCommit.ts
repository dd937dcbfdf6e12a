// Group commit: many writers, one transaction, one fsync.
//
// With synchronous=FULL every SQLite commit costs an fsync (about 2,400 single-row
// commits/s measured on the bench machine's disk). The HTTP handlers therefore do not
// commit: they hand their rows to `submit`, which resolves only once the transaction
// holding them has committed. Rows arriving within `delayMs` of the first pending one
// (or until `maxItems` are pending) share that transaction, so the fsync cost is paid
// once per group instead of once per reading, and no answer ever runs ahead of the disk.

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
  readonly #write: (items: T[]) => void;
  readonly #delayMs: number;
  readonly #maxItems: number;
  readonly #onCommit: (stats: GroupCommitStats) => void;
  #pending: Pending<T>[] = [];
  #pendingItems = 0;
  #timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  #closed = false;

  /** `write` runs the whole group inside one transaction; if it throws, every submitter of the group is rejected. */
  constructor(write: (items: T[]) => void, opts: { delayMs: number; maxItems: number; onCommit?: (s: GroupCommitStats) => void }) {
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
      if (this.#pendingItems >= this.#maxItems) {
        this.#schedule(true);
      } else if (this.#timer === undefined) {
        this.#schedule(false);
      }
    });
  }

  get pendingItems(): number {
    return this.#pendingItems;
  }

  #schedule(now: boolean): void {
    if (this.#timer !== undefined) {
      if (!now) return;
      this.#cancel();
    }
    // setImmediate still lets the requests already read from the sockets join the group.
    this.#timer = now || this.#delayMs <= 0
      ? { immediate: setImmediate(() => this.flush()) }
      : { timeout: setTimeout(() => this.flush(), this.#delayMs) };
  }

  #cancel(): void {
    const t = this.#timer;
    if (t === undefined) return;
    if ("timeout" in t) clearTimeout(t.timeout);
    else clearImmediate(t.immediate);
    this.#timer = undefined;
  }

  /** Commits everything pending now (synchronously). */
  flush(): void {
    this.#cancel();
    if (this.#pending.length === 0) return;
    const group = this.#pending;
    this.#pending = [];
    this.#pendingItems = 0;
    const items: T[] = [];
    for (const p of group) for (const item of p.items) items.push(item);
    const started = performance.now();
    try {
      this.#write(items);
    } catch (error) {
      for (const p of group) p.reject(error);
      return;
    }
    this.#onCommit({ items: items.length, seconds: (performance.now() - started) / 1000 });
    for (const p of group) p.resolve();
  }

  /** Commits what is pending and refuses anything new: nothing half-written is left behind. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
