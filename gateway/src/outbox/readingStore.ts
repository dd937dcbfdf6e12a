// The readings table: every accepted reading, sealed, from the 202 until the dApp's verdict.

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";
import { readU64, u64Bytes } from "@lcore/protocol/bytes";

/** A verified, sealed reading as the outbox keeps it. */
export interface SealedReading {
  device: Uint8Array;
  seq: bigint;
  timestamp: bigint;
  bodyHash: Uint8Array;
  digest: Uint8Array;
  signature: Uint8Array;
  sealed: Uint8Array;
  receivedMs: number;
}

/** A reading as packed into its input: what the follower judges against the dApp's outputs. */
export interface PackedReading extends SealedReading {
  id: number;
  position: number;
}

/** Where a reading is on its way to the chain (see `readingStatus`). */
export interface ReadingRow extends SealedReading {
  id: number;
  inputId: number | null;
  position: number | null;
  outcome: "accepted" | "rejected" | null;
  reason: string | null;
  noticeIndex: number | null;
  /** From the reading's input, when it has one. */
  nonce: number | null;
  txHash: Uint8Array | null;
  inputIndex: number | null;
  blockNumber: number | null;
  /** When the input's block was seen finalized (null: not final). */
  finalMs: number | null;
  nodeStatus: string | null;
  /** Latest transaction sent for the input, before a receipt names the one mined. */
  sentTxHash: Uint8Array | null;
}

interface RawReadingRow {
  id: number;
  device: Buffer;
  seq: Buffer;
  timestamp: number;
  body_hash: Buffer;
  digest: Buffer;
  signature: Buffer;
  sealed: Buffer;
  received_ms: number;
  input_id: number | null;
  position: number | null;
  outcome: "accepted" | "rejected" | null;
  reason: string | null;
  notice_index: number | null;
  nonce: number | null;
  tx_hash: Buffer | null;
  input_index: number | null;
  block_number: number | null;
  final_ms: number | null;
  node_status: string | null;
  sent_tx_hash: Buffer | null;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);
const u8OrNull = (b: Buffer | null): Uint8Array | null => (b === null ? null : new Uint8Array(b));

/** The columns a reading has from its 202 on. */
type RawSealedRow = Pick<
  RawReadingRow,
  "device" | "seq" | "timestamp" | "body_hash" | "digest" | "signature" | "sealed" | "received_ms"
>;

type RawPackedRow = RawSealedRow & { id: number; position: number };

function sealedFromRaw(r: RawSealedRow): SealedReading {
  return {
    device: u8(r.device),
    seq: readU64(r.seq, 0),
    timestamp: BigInt(r.timestamp),
    bodyHash: u8(r.body_hash),
    digest: u8(r.digest),
    signature: u8(r.signature),
    sealed: u8(r.sealed),
    receivedMs: r.received_ms,
  };
}

function packedFromRaw(r: RawPackedRow): PackedReading {
  return { id: r.id, ...sealedFromRaw(r), position: r.position };
}

function fromRaw(r: RawReadingRow): ReadingRow {
  return {
    id: r.id,
    ...sealedFromRaw(r),
    inputId: r.input_id,
    position: r.position,
    outcome: r.outcome,
    reason: r.reason,
    noticeIndex: r.notice_index,
    nonce: r.nonce,
    txHash: u8OrNull(r.tx_hash),
    inputIndex: r.input_index,
    blockNumber: r.block_number,
    finalMs: r.final_ms,
    nodeStatus: r.node_status,
    sentTxHash: u8OrNull(r.sent_tx_hash),
  };
}

const SELECT_WITH_INPUT = `
  SELECT r.*, i.nonce, i.tx_hash, i.input_index, i.block_number, i.final_ms, i.node_status,
    (SELECT t.hash FROM txs t WHERE t.input_id = r.input_id AND t.sent_ms IS NOT NULL
       ORDER BY t.sent_ms DESC LIMIT 1) AS sent_tx_hash
  FROM readings r LEFT JOIN inputs i ON i.id = r.input_id`;

/** The insert the writer thread runs for each reading (named parameters: readingParams). */
export const INSERT_READING_SQL = `INSERT INTO readings (device, seq, timestamp, body_hash, digest, signature, sealed, received_ms)
  VALUES (@device, @seq, @timestamp, @body_hash, @digest, @signature, @sealed, @received_ms)`;

export function readingParams(r: SealedReading): Record<string, unknown> {
  return {
    device: r.device,
    seq: u64Bytes(r.seq),
    timestamp: Number(r.timestamp),
    body_hash: r.bodyHash,
    digest: r.digest,
    signature: r.signature,
    sealed: r.sealed,
    received_ms: r.receivedMs,
  };
}

export class ReadingStore {
  readonly #get;
  readonly #page;
  readonly #countQueued;
  readonly #queued;
  readonly #ofInput;
  readonly #recent;
  readonly #perMinute;
  readonly #oldestQueued;

  constructor(db: OutboxDb) {
    this.#get = db.prepare<[Uint8Array, Uint8Array], RawReadingRow>(
      `${SELECT_WITH_INPUT} WHERE r.device = ? AND r.seq = ?`,
    );
    this.#page = db.prepare<[Uint8Array, Uint8Array, number], RawReadingRow>(
      `${SELECT_WITH_INPUT} WHERE r.device = ? AND r.seq >= ? ORDER BY r.seq LIMIT ?`,
    );
    // Queued: not in an input and not withdrawn (a withdrawn reading has an outcome and no input).
    this.#countQueued = db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM readings WHERE input_id IS NULL AND outcome IS NULL",
    );
    this.#queued = db.prepare<[number], RawReadingRow>(
      `${SELECT_WITH_INPUT} WHERE r.input_id IS NULL AND r.outcome IS NULL ORDER BY r.id LIMIT ?`,
    );
    // Only the readings' own columns: the follower reads every batch once, and the input's
    // columns (and its latest transaction, a subquery per row) are the same for all of them.
    this.#ofInput = db.prepare<[number], RawPackedRow>(
      `SELECT id, device, seq, timestamp, body_hash, digest, signature, sealed, received_ms, position
       FROM readings WHERE input_id = ? ORDER BY position`,
    );
    this.#recent = db.prepare<[number], RawReadingRow>(`${SELECT_WITH_INPUT} ORDER BY r.id DESC LIMIT ?`);
    this.#oldestQueued = db.prepare<[], { received_ms: number }>(
      "SELECT received_ms FROM readings WHERE input_id IS NULL AND outcome IS NULL ORDER BY id LIMIT 1",
    );
    this.#perMinute = db.prepare<[number], { minute: number; device: Buffer; n: number }>(
      "SELECT received_ms / 60000 AS minute, device, count(*) AS n FROM readings WHERE received_ms >= ? GROUP BY minute, device ORDER BY minute, device",
    );
  }

  /** The newest readings, newest first. */
  recent(limit: number): ReadingRow[] {
    return this.#recent.all(limit).map(fromRaw);
  }

  /** Readings received since `sinceMs`, counted per minute (of the gateway's clock) and device. */
  perMinute(sinceMs: number): { minute: number; device: Uint8Array; count: number }[] {
    return this.#perMinute
      .all(sinceMs)
      .map((r) => ({ minute: r.minute, device: new Uint8Array(r.device), count: r.n }));
  }

  get(device: Uint8Array, seq: bigint): ReadingRow | undefined {
    const r = this.#get.get(device, u64Bytes(seq));
    return r === undefined ? undefined : fromRaw(r);
  }

  /** The device's readings with seq ≥ fromSeq, in seq order. */
  page(device: Uint8Array, fromSeq: bigint, limit: number): ReadingRow[] {
    return this.#page.all(device, u64Bytes(fromSeq), limit).map(fromRaw);
  }

  /** The oldest readings not yet in an input, in outbox order. */
  queued(limit: number): ReadingRow[] {
    return this.#queued.all(limit).map(fromRaw);
  }

  /**
   * With the input's creation: the reading becomes its record `position`. It must still
   * be queued (expect 1): a reading is packed into exactly one input, and anything else
   * rolls the input back.
   */
  assignStatement(readingId: number, inputId: number, position: number): Statement {
    return {
      sql: "UPDATE readings SET input_id = @input_id, position = @position WHERE id = @id AND input_id IS NULL",
      params: { input_id: inputId, position, id: readingId },
      expect: 1,
    };
  }

  /** The readings packed into input `inputId`, in their order in it. */
  ofInput(inputId: number): PackedReading[] {
    return this.#ofInput.all(inputId).map(packedFromRaw);
  }

  outcomeStatement(
    inputId: number,
    position: number,
    outcome: "accepted" | "rejected",
    reason: string | null,
    noticeIndex: number | null,
  ): Statement {
    return {
      sql: "UPDATE readings SET outcome = @outcome, reason = @reason, notice_index = @notice_index WHERE input_id = @input_id AND position = @position",
      params: { outcome, reason, notice_index: noticeIndex, input_id: inputId, position },
      expect: 1,
    };
  }

  /**
   * Withdraws the device's queued readings: rejected with `reason`, never packed. For a
   * device the chain refuses (devices/deviceMarks.ts), so they end with a status, not in a batch
   * the dApp would skip.
   */
  withdrawStatement(device: Uint8Array, reason: string): Statement {
    return {
      sql: "UPDATE readings SET outcome = 'rejected', reason = @reason WHERE device = @device AND input_id IS NULL AND outcome IS NULL",
      params: { device, reason },
    };
  }

  /** When the oldest reading not yet in an input was received, or null. */
  oldestQueuedMs(): number | null {
    return this.#oldestQueued.get()?.received_ms ?? null;
  }

  countQueued(): number {
    return this.#countQueued.get()?.n ?? 0;
  }
}
