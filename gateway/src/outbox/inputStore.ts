// The inputs and txs tables: rollup inputs in submission order, and every transaction
// signed for them (written before it is sent).

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";

/** What an input carries (PROTOCOL §3): a device registration, a record batch, a settlement tick, a key disclosure. */
export type InputKindName = "registration" | "records" | "tick" | "disclosure" | "device_op";

/**
 * An input's place in the pipeline, without its payload: what the loops tracking inputs on the
 * chain and at the node read on every pass (a payload is up to 64 KiB, and reading tens of them
 * per pass was a tenth of the gateway's CPU while a slow machine kept inputs waiting).
 */
export interface InputState {
  id: number;
  kind: InputKindName;
  createdMs: number;
  nonce: number | null;
  txHash: Uint8Array | null;
  blockNumber: number | null;
  /** The block the receipt named: re-checked against the chain until the input is final. */
  blockHash: Uint8Array | null;
  inputIndex: number | null;
  gasUsed: number | null;
  includedMs: number | null;
  /** When its block was seen at or below the chain's finalized block (null: not final yet). */
  finalMs: number | null;
  nodeStatus: string | null;
  reason: string | null;
  processedMs: number | null;
  /** Latest transaction sent for it (before a receipt names the mined one). */
  sentTxHash: Uint8Array | null;
}

export interface InputRow extends InputState {
  payload: Uint8Array;
}

export interface TxRow {
  hash: Uint8Array;
  inputId: number;
  nonce: number;
  raw: Uint8Array;
  maxFee: bigint;
  maxPriority: bigint;
  signedMs: number;
  sentMs: number | null;
  abandoned: boolean;
}

interface RawInputState {
  id: number;
  kind: InputKindName;
  created_ms: number;
  nonce: number | null;
  tx_hash: Buffer | null;
  block_number: number | null;
  block_hash: Buffer | null;
  input_index: number | null;
  gas_used: number | null;
  included_ms: number | null;
  final_ms: number | null;
  node_status: string | null;
  reason: string | null;
  processed_ms: number | null;
  sent_tx_hash: Buffer | null;
}

interface RawInputRow extends RawInputState {
  payload: Buffer;
}

interface RawTxRow {
  hash: Buffer;
  input_id: number;
  nonce: number;
  raw: Buffer;
  max_fee: string;
  max_priority: string;
  signed_ms: number;
  sent_ms: number | null;
  abandoned: number;
}

const stateFromRaw = (r: RawInputState): InputState => ({
  id: r.id,
  kind: r.kind,
  createdMs: r.created_ms,
  nonce: r.nonce,
  txHash: r.tx_hash === null ? null : new Uint8Array(r.tx_hash),
  blockNumber: r.block_number,
  blockHash: r.block_hash === null ? null : new Uint8Array(r.block_hash),
  inputIndex: r.input_index,
  gasUsed: r.gas_used,
  includedMs: r.included_ms,
  finalMs: r.final_ms,
  nodeStatus: r.node_status,
  reason: r.reason,
  processedMs: r.processed_ms,
  sentTxHash: r.sent_tx_hash === null ? null : new Uint8Array(r.sent_tx_hash),
});

const inputFromRaw = (r: RawInputRow): InputRow => ({ ...stateFromRaw(r), payload: new Uint8Array(r.payload) });

/** Every column of an input but its payload, with its latest sent transaction. */
const INPUT_STATE_COLUMNS = `
  i.id, i.kind, i.created_ms, i.nonce, i.tx_hash, i.block_number, i.block_hash, i.input_index,
  i.gas_used, i.included_ms, i.final_ms, i.node_status, i.reason, i.processed_ms,
  (SELECT t.hash FROM txs t WHERE t.input_id = i.id AND t.sent_ms IS NOT NULL
   ORDER BY t.sent_ms DESC LIMIT 1) AS sent_tx_hash`;
const SELECT_INPUT_STATE = `SELECT ${INPUT_STATE_COLUMNS} FROM inputs i`;
const SELECT_INPUT = `SELECT i.payload, ${INPUT_STATE_COLUMNS} FROM inputs i`;

const txFromRaw = (r: RawTxRow): TxRow => ({
  hash: new Uint8Array(r.hash),
  inputId: r.input_id,
  nonce: r.nonce,
  raw: new Uint8Array(r.raw),
  maxFee: BigInt(r.max_fee),
  maxPriority: BigInt(r.max_priority),
  signedMs: r.signed_ms,
  sentMs: r.sent_ms,
  abandoned: r.abandoned !== 0,
});

export interface Inclusion {
  txHash: Uint8Array;
  blockNumber: number;
  /** The receipt's block hash (absent only in tests that stand in for a chain). */
  blockHash?: Uint8Array | null;
  inputIndex: number;
  gasUsed: number;
  includedMs: number;
}

/** What a recorded inclusion was, so a change is written only if nothing changed it meanwhile. */
export interface RecordedInclusion {
  id: number;
  txHash: Uint8Array;
  inputIndex: number;
}

/** Statements the store builds for the writer thread (writer.ts). */
const SQL = {
  create: "INSERT INTO inputs (id, kind, payload, created_ms) VALUES (@id, @kind, @payload, @created_ms)",
  setNonce: "UPDATE inputs SET nonce = @nonce WHERE id = @id",
  insertTx: `INSERT INTO txs (hash, input_id, nonce, raw, max_fee, max_priority, signed_ms)
    VALUES (@hash, @input_id, @nonce, @raw, @max_fee, @max_priority, @signed_ms)`,
  markSent: "UPDATE txs SET sent_ms = @sent_ms WHERE hash = @hash AND sent_ms IS NULL",
  abandon: "UPDATE txs SET abandoned = 1 WHERE input_id = @input_id AND nonce = @nonce",
  include: `UPDATE inputs SET tx_hash = @tx_hash, block_number = @block_number, block_hash = @block_hash,
    input_index = @input_index, gas_used = @gas_used, included_ms = @included_ms WHERE id = @id AND input_index IS NULL`,
  process: `UPDATE inputs SET node_status = @node_status, reason = @reason, processed_ms = @processed_ms
    WHERE id = @id AND input_index = @input_index AND node_status IS NULL`,
  // An inclusion the chain no longer has: back to "sent, not mined", its verdict with it.
  uninclude: `UPDATE inputs SET tx_hash = NULL, block_number = NULL, block_hash = NULL, input_index = NULL,
    gas_used = NULL, included_ms = NULL, final_ms = NULL, node_status = NULL, reason = NULL, processed_ms = NULL
    WHERE id = @id AND tx_hash = @tx_hash AND input_index = @input_index`,
  unverdictReadings: "UPDATE readings SET outcome = NULL, reason = NULL, notice_index = NULL WHERE input_id = @id",
  unverdictDisclosure: `UPDATE disclosures SET notice_index = NULL, count = NULL, sum = NULL, min = NULL, max = NULL,
    state_hash = NULL, failed_device = NULL, failed_seq = NULL, failed_record_hash = NULL WHERE input_id = @id`,
  blockHash:
    "UPDATE inputs SET block_hash = @block_hash WHERE id = @id AND input_index = @input_index AND block_hash IS NULL",
  final: "UPDATE inputs SET final_ms = @final_ms WHERE id = @id AND block_hash = @block_hash AND final_ms IS NULL",
};

export class InputStore {
  readonly #write: (statements: Statement[]) => Promise<void>;
  readonly #get;
  readonly #unincluded;
  readonly #unprocessed;
  readonly #payload;
  readonly #maxNonce;
  readonly #txsOf;
  readonly #countUnincluded;
  readonly #byIndex;
  readonly #unfinal;
  readonly #recentIncluded;
  readonly #oldestUnincluded;
  readonly #oldestUnprocessed;
  readonly #minedFromNonce;
  /** Input ids are assigned here, on the one thread that creates inputs, so a write can name its input. */
  #nextId: number;

  constructor(db: OutboxDb, write: (statements: Statement[]) => Promise<void>) {
    this.#write = write;
    this.#get = db.prepare<[number], RawInputRow>(`${SELECT_INPUT} WHERE i.id = ?`);
    this.#payload = db.prepare<[number], { payload: Buffer }>("SELECT payload FROM inputs WHERE id = ?");
    this.#unincluded = db.prepare<[number], RawInputRow>(
      `${SELECT_INPUT} WHERE i.input_index IS NULL ORDER BY i.id LIMIT ?`,
    );
    this.#unprocessed = db.prepare<[number], RawInputState>(
      `${SELECT_INPUT_STATE} WHERE i.input_index IS NOT NULL AND i.node_status IS NULL ORDER BY i.input_index LIMIT ?`,
    );
    this.#maxNonce = db.prepare<[], { n: number | null }>("SELECT max(nonce) AS n FROM txs");
    this.#txsOf = db.prepare<[number], RawTxRow>("SELECT * FROM txs WHERE input_id = ? ORDER BY signed_ms");
    this.#countUnincluded = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inputs WHERE input_index IS NULL");
    this.#byIndex = db.prepare<[number], RawInputRow>(`${SELECT_INPUT} WHERE i.input_index = ?`);
    this.#unfinal = db.prepare<[number], RawInputState>(
      `${SELECT_INPUT_STATE} WHERE i.input_index IS NOT NULL AND i.final_ms IS NULL ORDER BY i.block_number LIMIT ?`,
    );
    this.#recentIncluded = db.prepare<[number, number], RawInputState>(
      `${SELECT_INPUT_STATE} WHERE i.input_index IS NOT NULL AND i.block_number > ? ORDER BY i.block_number LIMIT ?`,
    );
    this.#minedFromNonce = db.prepare<[number, number], { id: number }>(
      "SELECT id FROM inputs WHERE input_index IS NOT NULL AND nonce >= ? ORDER BY nonce LIMIT ?",
    );
    this.#oldestUnincluded = db.prepare<[], { created_ms: number }>(
      "SELECT created_ms FROM inputs WHERE input_index IS NULL ORDER BY id LIMIT 1",
    );
    this.#oldestUnprocessed = db.prepare<[], { included_ms: number }>(
      "SELECT included_ms FROM inputs WHERE input_index IS NOT NULL AND node_status IS NULL ORDER BY input_index LIMIT 1",
    );
    this.#nextId = db.prepare<[], { n: number }>("SELECT coalesce(max(id), 0) + 1 AS n FROM inputs").get()?.n ?? 1;
  }

  /** A new input's id and its insert, to be written with whatever the input carries. */
  create(kind: InputKindName, payload: Uint8Array, nowMs: number): { id: number; statement: Statement } {
    const id = this.#nextId++;
    return { id, statement: { sql: SQL.create, params: { id, kind, payload, created_ms: nowMs } } };
  }

  get(id: number): InputRow | undefined {
    const r = this.#get.get(id);
    return r === undefined ? undefined : inputFromRaw(r);
  }

  byInputIndex(index: number): InputRow | undefined {
    const r = this.#byIndex.get(index);
    return r === undefined ? undefined : inputFromRaw(r);
  }

  /** Inputs not yet seen mined, in submission order. */
  unincluded(limit: number): InputRow[] {
    return this.#unincluded.all(limit).map(inputFromRaw);
  }

  /** The input's payload, or undefined if there is no such input. */
  payloadOf(id: number): Uint8Array | undefined {
    const r = this.#payload.get(id);
    return r === undefined ? undefined : new Uint8Array(r.payload);
  }

  /** Mined inputs the node has not yet reported processed, in input-index order. */
  unprocessed(limit: number): InputState[] {
    return this.#unprocessed.all(limit).map(stateFromRaw);
  }

  /**
   * Mined inputs still to be re-checked against the chain: those not final yet, and those in
   * blocks above `aboveBlock` (final or not), in block order.
   */
  watched(aboveBlock: number, limit: number): InputState[] {
    const out = new Map<number, InputState>();
    for (const r of this.#unfinal.all(limit)) out.set(r.id, stateFromRaw(r));
    for (const r of this.#recentIncluded.all(aboveBlock, limit)) out.set(r.id, stateFromRaw(r));
    return [...out.values()].sort((a, b) => a.blockNumber! - b.blockNumber!);
  }

  /** Inputs recorded mined whose nonce is at least `nonce`: the chain cannot have them if its account nonce is `nonce`. */
  minedFromNonce(nonce: number, limit: number): number[] {
    return this.#minedFromNonce.all(nonce, limit).map((r) => r.id);
  }

  /** When the oldest input not yet seen mined was created, or null. */
  oldestUnincludedMs(): number | null {
    return this.#oldestUnincluded.get()?.created_ms ?? null;
  }

  /** When the oldest mined input the node has not answered for was seen mined, or null. */
  oldestUnprocessedMs(): number | null {
    return this.#oldestUnprocessed.get()?.included_ms ?? null;
  }

  /** Highest nonce any stored transaction uses, or null. */
  maxNonce(): number | null {
    return this.#maxNonce.get()?.n ?? null;
  }

  txsOf(inputId: number): TxRow[] {
    return this.#txsOf.all(inputId).map(txFromRaw);
  }

  countUnincluded(): number {
    return this.#countUnincluded.get()?.n ?? 0;
  }

  /**
   * Write-ahead: records the signed transaction (and, the first time, the input's
   * nonce) durably BEFORE it is broadcast. Whatever happens next, a restart finds these
   * exact bytes and either rebroadcasts them or finds their receipt.
   */
  recordSigned(tx: Omit<TxRow, "sentMs" | "abandoned">): Promise<void> {
    return this.#write([
      { sql: SQL.setNonce, params: { nonce: tx.nonce, id: tx.inputId }, expect: 1 },
      {
        sql: SQL.insertTx,
        params: {
          hash: tx.hash,
          input_id: tx.inputId,
          nonce: tx.nonce,
          raw: tx.raw,
          max_fee: tx.maxFee.toString(),
          max_priority: tx.maxPriority.toString(),
          signed_ms: tx.signedMs,
        },
      },
    ]);
  }

  markSent(hash: Uint8Array, nowMs: number): Promise<void> {
    return this.#write([{ sql: SQL.markSent, params: { sent_ms: nowMs, hash } }]);
  }

  /**
   * The input's nonce was spent without adding it (its transaction was mined but
   * reverted, or the nonce was used by a transaction that is not ours): its
   * transactions can no longer land, and it will be signed again with a new nonce.
   */
  abandonNonce(inputId: number, nonce: number): Promise<void> {
    return this.#write([
      { sql: SQL.abandon, params: { input_id: inputId, nonce } },
      { sql: SQL.setNonce, params: { nonce: null, id: inputId }, expect: 1 },
    ]);
  }

  /** From the receipt's InputAdded log; idempotent. */
  include(inputId: number, inclusion: Inclusion): Promise<void> {
    const { expect: _once, ...idempotent } = this.includeStatement(inputId, inclusion);
    return this.#write([idempotent]);
  }

  /**
   * The node's verdict on the input at `inputIndex`, to be written with the verdicts on what it
   * carries. Expects the input still recorded at that index and without a verdict, so a verdict
   * read while the inclusion watch moved the input is never written (OutboxConflictError).
   */
  processedStatement(
    inputId: number,
    inputIndex: number,
    nodeStatus: string,
    reason: string | null,
    nowMs: number,
  ): Statement {
    return {
      sql: SQL.process,
      params: { node_status: nodeStatus, reason, processed_ms: nowMs, id: inputId, input_index: inputIndex },
      expect: 1,
    };
  }

  /**
   * The chain no longer has the recorded inclusion: the input is back to "sent, not mined"
   * (its nonce and transactions kept, so the submitter sends the same bytes again), and the
   * verdicts read for it (readings, a disclosure) are cleared with it.
   */
  unincludeStatements(was: RecordedInclusion): Statement[] {
    return [
      {
        sql: SQL.uninclude,
        params: { id: was.id, tx_hash: was.txHash, input_index: was.inputIndex },
        expect: 1,
      },
      { sql: SQL.unverdictReadings, params: { id: was.id } },
      { sql: SQL.unverdictDisclosure, params: { id: was.id } },
    ];
  }

  /** Fills the block hash of an inclusion recorded before the outbox kept it (schema v9). */
  blockHashStatement(inputId: number, inputIndex: number, blockHash: Uint8Array): Statement {
    return { sql: SQL.blockHash, params: { id: inputId, input_index: inputIndex, block_hash: blockHash } };
  }

  /** The input's block is at or below the chain's finalized block, and still the one recorded. */
  finalStatement(inputId: number, blockHash: Uint8Array, nowMs: number): Statement {
    return { sql: SQL.final, params: { id: inputId, block_hash: blockHash, final_ms: nowMs }, expect: 1 };
  }

  /** The include statement, to be written in one transaction with others (the watch's moves). */
  includeStatement(inputId: number, inclusion: Inclusion): Statement {
    return {
      sql: SQL.include,
      params: {
        tx_hash: inclusion.txHash,
        block_number: inclusion.blockNumber,
        input_index: inclusion.inputIndex,
        gas_used: inclusion.gasUsed,
        included_ms: inclusion.includedMs,
        block_hash: inclusion.blockHash ?? null,
        id: inputId,
      },
      expect: 1,
    };
  }
}
