// The disclosures table (schema v5): each disclosure the owner asked for, beside the
// input that carries it, and the dApp's aggregate once the follower read its notice; and
// the disclosure_parts table (schema v6): the inputs of a disclosure of a pruned day
// (0x12, PROTOCOL §11.1), which the first of them names.

import { readU64, u64Bytes } from "@lcore/protocol/bytes";
import type { OutboxDb } from "./database.js";
import type { InputRow } from "./inputStore.js";
import type { Statement } from "./writer.js";

export interface DisclosureRow {
  /** The disclosure input's id; also the disclosure's id in the API. */
  inputId: number;
  device: Uint8Array;
  period: number;
  voucher: boolean;
  requestedMs: number;
}

/** What the dApp's 0x91 notice said (PROTOCOL §10). */
export interface DisclosureResult {
  noticeIndex: number;
  count: bigint;
  sum: bigint;
  min: bigint;
  max: bigint;
  stateHash: Uint8Array;
}

/** The record the dApp named when it rejected a disclosure because that record did not open (PROTOCOL §10). */
export interface FailedRecord {
  device: Uint8Array;
  seq: bigint;
  recordHash: Uint8Array;
}

/** One 0x12 input of a disclosure of a pruned day. */
export interface DisclosurePartRow {
  inputId: number;
  disclosureId: number;
  part: number;
  /** Pruned records it carries. */
  records: number;
  lastSeq: bigint;
}

/** A disclosure with its inputs' progress and, once read, its result. */
export interface DisclosureState extends DisclosureRow {
  /**
   * The input its progress is read from: the first part the node did not accept, else the
   * last part (inputs are processed in order, so once it is accepted all of them are).
   * A key disclosure's only input.
   */
  input: InputRow;
  /** Its 0x12 parts in submission order; empty for a key disclosure (0x11). */
  parts: (DisclosurePartRow & { input: InputRow })[];
  result: DisclosureResult | null;
  failedRecord: FailedRecord | null;
}

/** A reading of the gateway's that the chain holds as the dApp's record `recordId`. */
export interface ChainReading {
  recordId: bigint;
  recordHash: Uint8Array;
  device: Uint8Array;
  seq: bigint;
  timestamp: bigint;
  bodyHash: Uint8Array;
  signature: Uint8Array;
  sealed: Uint8Array;
}

interface RawDisclosureRow {
  input_id: number;
  device: Buffer;
  period: number;
  voucher: number;
  requested_ms: number;
  notice_index: number | null;
  count: string | null;
  sum: string | null;
  min: string | null;
  max: string | null;
  state_hash: Buffer | null;
  failed_device: Buffer | null;
  failed_seq: string | null;
  failed_record_hash: Buffer | null;
}

interface RawPartRow {
  input_id: number;
  disclosure_id: number;
  part: number;
  records: number;
  last_seq: Buffer;
}

interface RawChainReading {
  record_id: number;
  record_hash: Buffer;
  device: Buffer;
  seq: Buffer;
  timestamp: number;
  body_hash: Buffer;
  signature: Buffer;
  sealed: Buffer;
}

const SQL = {
  insert: `INSERT INTO disclosures (input_id, device, period, voucher, requested_ms)
    VALUES (@input_id, @device, @period, @voucher, @requested_ms)`,
  part: `INSERT INTO disclosure_parts (input_id, disclosure_id, part, records, last_seq)
    VALUES (@input_id, @disclosure_id, @part, @records, @last_seq)`,
  result: `UPDATE disclosures SET notice_index = @notice_index, count = @count, sum = @sum, min = @min, max = @max,
    state_hash = @state_hash WHERE input_id = @input_id`,
  failed: `UPDATE disclosures SET failed_device = @device, failed_seq = @seq, failed_record_hash = @record_hash WHERE input_id = @input_id`,
};

export class DisclosureStore {
  readonly #get;
  readonly #exists;
  readonly #ofPeriod;
  readonly #queuedReadings;
  readonly #readings;
  readonly #parts;
  readonly #partOf;
  readonly #chainReadings;
  readonly #input: (id: number) => InputRow | undefined;

  constructor(db: OutboxDb, input: (id: number) => InputRow | undefined) {
    this.#input = input;
    this.#get = db.prepare<[number], RawDisclosureRow>("SELECT * FROM disclosures WHERE input_id = ?");
    this.#exists = db.prepare<[Uint8Array, number], { n: number }>(
      "SELECT 1 AS n FROM disclosures WHERE device = ? AND period = ? LIMIT 1",
    );
    this.#ofPeriod = db.prepare<[Uint8Array, number], RawDisclosureRow>(
      "SELECT * FROM disclosures WHERE device = ? AND period = ? ORDER BY input_id",
    );
    this.#queuedReadings = db.prepare<[Uint8Array, number, number], { n: number }>(
      "SELECT count(*) AS n FROM readings WHERE input_id IS NULL AND outcome IS NULL AND device = ? AND timestamp BETWEEN ? AND ?",
    );
    this.#readings = db.prepare<[Uint8Array, number, number], { n: number }>(
      "SELECT count(*) AS n FROM readings WHERE device = ? AND timestamp BETWEEN ? AND ?",
    );
    this.#parts = db.prepare<[number], RawPartRow>(
      "SELECT * FROM disclosure_parts WHERE disclosure_id = ? ORDER BY part",
    );
    this.#partOf = db.prepare<[number], { disclosure_id: number }>(
      "SELECT disclosure_id FROM disclosure_parts WHERE input_id = ?",
    );
    this.#chainReadings = db.prepare<[Uint8Array, number, number, number], RawChainReading>(`
      SELECT c.record_id, c.record_hash, r.device, r.seq, r.timestamp, r.body_hash, r.signature, r.sealed
      FROM readings r JOIN chain_records c ON c.device = r.device AND c.seq = r.seq
      WHERE r.device = ? AND r.timestamp BETWEEN ? AND ? AND c.record_id <= ? ORDER BY r.seq`);
  }

  /** The disclosure an input carries (a key disclosure's input, or any part of a pruned day's). */
  ofInput(inputId: number): DisclosureState | undefined {
    return this.get(this.#partOf.get(inputId)?.disclosure_id ?? inputId);
  }

  /**
   * The device's readings with from ≤ timestamp ≤ to that the settlement follower has read
   * as the dApp's records with id ≤ throughRecord, in seq order: with throughRecord the
   * dApp's prune point, the records a 0x12 must carry.
   */
  chainReadingsIn(device: Uint8Array, from: number, to: number, throughRecord: bigint): ChainReading[] {
    return this.#chainReadings.all(device, from, to, Number(throughRecord)).map((r) => ({
      recordId: BigInt(r.record_id),
      recordHash: new Uint8Array(r.record_hash),
      device: new Uint8Array(r.device),
      seq: readU64(r.seq, 0),
      timestamp: BigInt(r.timestamp),
      bodyHash: new Uint8Array(r.body_hash),
      signature: new Uint8Array(r.signature),
      sealed: new Uint8Array(r.sealed),
    }));
  }

  get(inputId: number): DisclosureState | undefined {
    const r = this.#get.get(inputId);
    return r === undefined ? undefined : this.#state(r);
  }

  /** Whether a disclosure of this period was ever queued: its key is public then, whatever the dApp's verdict. */
  has(device: Uint8Array, period: number): boolean {
    return this.#exists.get(device, period) !== undefined;
  }

  /** Every disclosure asked for this device and period, oldest first. */
  ofPeriod(device: Uint8Array, period: number): DisclosureState[] {
    return this.#ofPeriod.all(device, period).map((r) => this.#state(r));
  }

  /** Readings of the device with from ≤ timestamp ≤ to: all of them, and those not yet packed into an input. */
  readingsIn(device: Uint8Array, from: number, to: number): { all: number; queued: number } {
    return {
      all: this.#readings.get(device, from, to)?.n ?? 0,
      queued: this.#queuedReadings.get(device, from, to)?.n ?? 0,
    };
  }

  /** To be written in the same transaction as the disclosure's input. */
  insertStatement(row: DisclosureRow): Statement {
    return {
      sql: SQL.insert,
      params: {
        input_id: row.inputId,
        device: row.device,
        period: row.period,
        voucher: row.voucher ? 1 : 0,
        requested_ms: row.requestedMs,
      },
    };
  }

  /** To be written in the same transaction as the part's input and its disclosure's row. */
  partStatement(row: DisclosurePartRow): Statement {
    return {
      sql: SQL.part,
      params: {
        input_id: row.inputId,
        disclosure_id: row.disclosureId,
        part: row.part,
        records: row.records,
        last_seq: u64Bytes(row.lastSeq),
      },
    };
  }

  /** To be written with the input's verdict: the record named by the dApp's rejection. */
  failedRecordStatement(inputId: number, f: FailedRecord): Statement {
    return {
      sql: SQL.failed,
      params: { input_id: inputId, device: f.device, seq: f.seq.toString(), record_hash: f.recordHash },
      expect: 1,
    };
  }

  /** To be written with the input's verdict. */
  resultStatement(inputId: number, r: DisclosureResult): Statement {
    return {
      sql: SQL.result,
      params: {
        input_id: inputId,
        notice_index: r.noticeIndex,
        count: r.count.toString(),
        sum: r.sum.toString(),
        min: r.min.toString(),
        max: r.max.toString(),
        state_hash: r.stateHash,
      },
      expect: 1,
    };
  }

  #state(r: RawDisclosureRow): DisclosureState {
    const inputOf = (id: number): InputRow => {
      const input = this.#input(id);
      if (input === undefined) throw new Error(`disclosure ${r.input_id} has no input ${id}`);
      return input;
    };
    const parts = this.#parts.all(r.input_id).map((p) => ({
      inputId: p.input_id,
      disclosureId: p.disclosure_id,
      part: p.part,
      records: p.records,
      lastSeq: readU64(p.last_seq, 0),
      input: inputOf(p.input_id),
    }));
    const input =
      parts.length === 0
        ? inputOf(r.input_id)
        : (
            parts.find((p) => p.input.nodeStatus !== null && p.input.nodeStatus !== "ACCEPTED") ??
            parts[parts.length - 1]!
          ).input;
    return {
      inputId: r.input_id,
      device: new Uint8Array(r.device),
      period: r.period,
      voucher: r.voucher !== 0,
      requestedMs: r.requested_ms,
      input,
      parts,
      result:
        r.notice_index === null
          ? null
          : {
              noticeIndex: r.notice_index,
              count: BigInt(r.count!),
              sum: BigInt(r.sum!),
              min: BigInt(r.min!),
              max: BigInt(r.max!),
              stateHash: new Uint8Array(r.state_hash!),
            },
      failedRecord:
        r.failed_seq === null
          ? null
          : {
              device: new Uint8Array(r.failed_device!),
              seq: BigInt(r.failed_seq),
              recordHash: new Uint8Array(r.failed_record_hash!),
            },
    };
  }
}
