// The mirror table and cursor (dual mode, mvp/mirror.ts): which readings the legacy
// MVP node has answered, how, and how that compares with the dApp's verdict.
//
// The readings table is the mirror's queue: every reading above the cursor that has no
// final mirror row is still to be sent, so mirroring adds nothing to the ingest path.
// The cursor only moves past readings whose row is final, inside the transaction that
// wrote them.

import type { OutboxDb } from "./database.js";
import type { SettingsStore } from "./settingsStore.js";
import type { Statement } from "./writer.js";
import { readU64 } from "@lcore/protocol/bytes";

/** The legacy node's final answer on a reading (PROTOCOL-free: gateway/README.md, dual mode). */
/** `history`: a reading migrated from the MVP (PROTOCOL §7.7), which the legacy node already holds: never sent. */
export type LegacyOutcome = "accepted" | "refused" | "failed" | "skipped" | "history";
export type Comparison = "agree" | "cartesi_only" | "legacy_only";

/** Running totals in the settings table, under `mirror.<name>`. */
export const MIRROR_TOTALS = [
  "accepted",
  "refused",
  "failed",
  "skipped",
  "history",
  "agree_accepted",
  "agree_rejected",
  "cartesi_only",
  "legacy_only",
] as const;
export type MirrorTotal = (typeof MIRROR_TOTALS)[number];

export const MIRROR_CURSOR = "mirror.cursor";

/** A reading the mirror should send now. */
export interface DueReading {
  id: number;
  device: Uint8Array;
  seq: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  sealed: Uint8Array;
  /** Per-reading failures so far (0 for a reading never answered). */
  attempts: number;
}

export interface Uncompared {
  readingId: number;
  legacy: "accepted" | "refused";
  outcome: "accepted" | "rejected";
}

export interface Divergence {
  readingId: number;
  device: Uint8Array;
  seq: bigint;
  kind: "cartesi_only" | "legacy_only";
  httpStatus: number | null;
  reason: string | null;
}

// Readings above the cursor still to be settled with the legacy node.
const PENDING = `FROM readings r LEFT JOIN mirror m ON m.reading_id = r.id WHERE r.id > @cursor AND m.legacy IS NULL`;

export class MirrorStore {
  readonly #settings: SettingsStore;
  readonly #due;
  readonly #pending;
  readonly #nthPending;
  readonly #uncompared;
  readonly #uncomparedOfInputs;
  readonly #uncomparedOne;
  readonly #lastProcessed;
  readonly #span;
  readonly #divergences;

  constructor(db: OutboxDb, settings: SettingsStore) {
    this.#settings = settings;
    this.#due = db.prepare<
      [{ cursor: number; now: number; limit: number }],
      {
        id: number;
        device: Buffer;
        seq: Buffer;
        timestamp: number;
        digest: Buffer;
        sealed: Buffer;
        attempts: number | null;
      }
    >(`SELECT r.id, r.device, r.seq, r.timestamp, r.digest, r.sealed, m.attempts ${PENDING}
        AND (m.next_ms IS NULL OR m.next_ms <= @now) ORDER BY r.id LIMIT @limit`);
    this.#pending = db.prepare<[{ cursor: number }], { n: number }>(`SELECT count(*) AS n ${PENDING}`);
    this.#nthPending = db.prepare<[{ cursor: number; offset: number }], { id: number }>(
      `SELECT r.id ${PENDING} ORDER BY r.id LIMIT 1 OFFSET @offset`,
    );
    this.#uncompared = db.prepare<
      [number],
      { reading_id: number; legacy: "accepted" | "refused"; outcome: "accepted" | "rejected" }
    >(
      `SELECT m.reading_id, m.legacy, r.outcome FROM mirror m JOIN readings r ON r.id = m.reading_id
       WHERE m.compared IS NULL AND m.legacy IN ('accepted', 'refused') AND r.outcome IS NOT NULL ORDER BY m.reading_id LIMIT ?`,
    );
    this.#uncomparedOfInputs = db.prepare<
      [{ from: number; to: number }],
      { reading_id: number; legacy: "accepted" | "refused"; outcome: "accepted" | "rejected" }
    >(
      `SELECT m.reading_id, m.legacy, r.outcome FROM inputs i JOIN readings r ON r.input_id = i.id JOIN mirror m ON m.reading_id = r.id
       WHERE i.input_index > @from AND i.input_index <= @to
         AND m.compared IS NULL AND m.legacy IN ('accepted', 'refused') AND r.outcome IS NOT NULL`,
    );
    this.#uncomparedOne = db.prepare<
      [number],
      { reading_id: number; legacy: "accepted" | "refused"; outcome: "accepted" | "rejected" }
    >(
      `SELECT m.reading_id, m.legacy, r.outcome FROM mirror m JOIN readings r ON r.id = m.reading_id
       WHERE m.reading_id = ? AND m.compared IS NULL AND m.legacy IN ('accepted', 'refused') AND r.outcome IS NOT NULL`,
    );
    // Walks the input_index index from the top: the newest inputs are the unprocessed few.
    this.#lastProcessed = db.prepare<[], { n: number }>(
      "SELECT input_index AS n FROM inputs WHERE input_index IS NOT NULL AND node_status IS NOT NULL ORDER BY input_index DESC LIMIT 1",
    );
    this.#span = db.prepare<[{ cursor: number }], { n: number }>(
      "SELECT coalesce(max(id), 0) - @cursor AS n FROM readings",
    );
    this.#divergences = db.prepare<
      [number],
      {
        reading_id: number;
        device: Buffer;
        seq: Buffer;
        compared: "cartesi_only" | "legacy_only";
        http_status: number | null;
        reason: string | null;
      }
    >(`SELECT m.reading_id, r.device, r.seq, m.compared, m.http_status, r.reason FROM mirror m JOIN readings r ON r.id = m.reading_id
        WHERE m.compared IN ('cartesi_only', 'legacy_only') ORDER BY m.reading_id DESC LIMIT ?`);
  }

  /** True once the mirror has ever run on this outbox. */
  get started(): boolean {
    return this.#settings.has(MIRROR_CURSOR);
  }

  cursor(): number {
    return this.#settings.int(MIRROR_CURSOR);
  }

  /** The first start: readings already stored are the legacy node's past, not sent. Idempotent. */
  startStatement(): Statement {
    return {
      sql: "INSERT OR IGNORE INTO settings (name, value) SELECT @name, coalesce(max(id), 0) FROM readings",
      params: { name: MIRROR_CURSOR },
    };
  }

  /** Oldest unsettled readings whose retry time has come. */
  due(nowMs: number, limit: number): DueReading[] {
    return this.#due.all({ cursor: this.cursor(), now: nowMs, limit }).map((r) => ({
      id: r.id,
      device: new Uint8Array(r.device),
      seq: readU64(r.seq, 0),
      timestamp: BigInt(r.timestamp),
      digest: new Uint8Array(r.digest),
      sealed: new Uint8Array(r.sealed),
      attempts: r.attempts ?? 0,
    }));
  }

  pending(): number {
    return this.started ? (this.#pending.get({ cursor: this.cursor() })?.n ?? 0) : 0;
  }

  /** Readings above the cursor, settled or not: a cheap upper bound of pending(). */
  span(): number {
    return this.started ? (this.#span.get({ cursor: this.cursor() })?.n ?? 0) : 0;
  }

  /** Id of the pending reading after `offset` others, oldest first. */
  nthPending(offset: number): number | undefined {
    return this.#nthPending.get({ cursor: this.cursor(), offset })?.id;
  }

  /** A reading's answer: final (`legacy` set) or a retry at `nextMs`. */
  resultStatement(r: {
    readingId: number;
    attempts: number;
    httpStatus: number | null;
    legacy: LegacyOutcome | null;
    nextMs: number | null;
    nowMs: number;
  }): Statement {
    return {
      sql: `INSERT INTO mirror (reading_id, attempts, http_status, legacy, next_ms, done_ms)
              VALUES (@reading_id, @attempts, @http_status, @legacy, @next_ms, @done_ms)
            ON CONFLICT (reading_id) DO UPDATE SET attempts = excluded.attempts, http_status = excluded.http_status,
              legacy = excluded.legacy, next_ms = excluded.next_ms, done_ms = excluded.done_ms`,
      params: {
        reading_id: r.readingId,
        attempts: r.attempts,
        http_status: r.httpStatus,
        legacy: r.legacy,
        next_ms: r.nextMs,
        done_ms: r.legacy === null ? null : r.nowMs,
      },
    };
  }

  /** Every unsettled reading up to `lastId` is given up as skipped (over the pending bound). */
  skipStatements(lastId: number, nowMs: number): Statement[] {
    const params = { cursor: this.cursor(), last: lastId, now: nowMs };
    return [
      {
        sql: "UPDATE mirror SET legacy = 'skipped', done_ms = @now, next_ms = NULL WHERE reading_id > @cursor AND reading_id <= @last AND legacy IS NULL",
        params,
      },
      {
        sql: `INSERT INTO mirror (reading_id, attempts, legacy, done_ms)
              SELECT r.id, 0, 'skipped', @now FROM readings r WHERE r.id > @cursor AND r.id <= @last
                AND NOT EXISTS (SELECT 1 FROM mirror m WHERE m.reading_id = r.id)`,
        params,
      },
    ];
  }

  /** Moves the cursor to just before the oldest unsettled reading (or to the newest reading). */
  advanceStatement(): Statement {
    return {
      sql: `UPDATE settings SET value = coalesce(
              (SELECT r.id - 1 FROM readings r LEFT JOIN mirror m ON m.reading_id = r.id
                 WHERE r.id > settings.value AND m.legacy IS NULL ORDER BY r.id LIMIT 1),
              (SELECT max(id) FROM readings), value)
            WHERE name = @name`,
      params: { name: MIRROR_CURSOR },
    };
  }

  totalStatement(total: MirrorTotal, n: number): Statement {
    return this.#settings.addStatement(`mirror.${total}`, n);
  }

  totals(): Record<MirrorTotal, number> {
    return Object.fromEntries(MIRROR_TOTALS.map((t) => [t, this.#settings.int(`mirror.${t}`)])) as Record<
      MirrorTotal,
      number
    >;
  }

  /** Readings answered by both sides and not yet compared. */
  uncompared(limit: number): Uncompared[] {
    return this.#uncompared.all(limit).map((r) => ({ readingId: r.reading_id, legacy: r.legacy, outcome: r.outcome }));
  }

  /** Of the readings in inputs with from < input_index ≤ to: those answered by both sides, not yet compared. */
  uncomparedOfInputs(from: number, to: number): Uncompared[] {
    return this.#uncomparedOfInputs
      .all({ from, to })
      .map((r) => ({ readingId: r.reading_id, legacy: r.legacy, outcome: r.outcome }));
  }

  /** The reading, if both sides answered it and it is not yet compared. */
  uncomparedOne(readingId: number): Uncompared | undefined {
    const r = this.#uncomparedOne.get(readingId);
    return r === undefined ? undefined : { readingId: r.reading_id, legacy: r.legacy, outcome: r.outcome };
  }

  /** input_index of the newest input the follower has a verdict on, or -1. */
  lastProcessedInput(): number {
    return this.#lastProcessed.get()?.n ?? -1;
  }

  compareStatement(readingId: number, compared: Comparison): Statement {
    return {
      sql: "UPDATE mirror SET compared = @compared WHERE reading_id = @id AND compared IS NULL",
      params: { compared, id: readingId },
      expect: 1,
    };
  }

  /** The newest divergent readings, newest first. */
  divergences(limit: number): Divergence[] {
    return this.#divergences.all(limit).map((r) => ({
      readingId: r.reading_id,
      device: new Uint8Array(r.device),
      seq: readU64(r.seq, 0),
      kind: r.compared,
      httpStatus: r.http_status,
      reason: r.reason,
    }));
  }
}
