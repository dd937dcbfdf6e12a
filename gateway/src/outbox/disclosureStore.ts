// The disclosures table (schema v5): each key disclosure the owner asked for, beside
// the input that carries it, and the dApp's aggregate once the follower read its notice.

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

/** A disclosure with its input's progress and, once read, its result. */
export interface DisclosureState extends DisclosureRow {
  input: InputRow;
  result: DisclosureResult | null;
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
}

const SQL = {
  insert: `INSERT INTO disclosures (input_id, device, period, voucher, requested_ms)
    VALUES (@input_id, @device, @period, @voucher, @requested_ms)`,
  result: `UPDATE disclosures SET notice_index = @notice_index, count = @count, sum = @sum, min = @min, max = @max,
    state_hash = @state_hash WHERE input_id = @input_id`,
};

export class DisclosureStore {
  readonly #get;
  readonly #exists;
  readonly #ofPeriod;
  readonly #queuedReadings;
  readonly #readings;
  readonly #input: (id: number) => InputRow | undefined;

  constructor(db: OutboxDb, input: (id: number) => InputRow | undefined) {
    this.#input = input;
    this.#get = db.prepare<[number], RawDisclosureRow>("SELECT * FROM disclosures WHERE input_id = ?");
    this.#exists = db.prepare<[Uint8Array, number], { n: number }>("SELECT 1 AS n FROM disclosures WHERE device = ? AND period = ? LIMIT 1");
    this.#ofPeriod = db.prepare<[Uint8Array, number], RawDisclosureRow>(
      "SELECT * FROM disclosures WHERE device = ? AND period = ? ORDER BY input_id",
    );
    this.#queuedReadings = db.prepare<[Uint8Array, number, number], { n: number }>(
      "SELECT count(*) AS n FROM readings WHERE input_id IS NULL AND device = ? AND timestamp BETWEEN ? AND ?",
    );
    this.#readings = db.prepare<[Uint8Array, number, number], { n: number }>(
      "SELECT count(*) AS n FROM readings WHERE device = ? AND timestamp BETWEEN ? AND ?",
    );
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
    return { all: this.#readings.get(device, from, to)?.n ?? 0, queued: this.#queuedReadings.get(device, from, to)?.n ?? 0 };
  }

  /** To be written in the same transaction as the disclosure's input. */
  insertStatement(row: DisclosureRow): Statement {
    return {
      sql: SQL.insert,
      params: { input_id: row.inputId, device: row.device, period: row.period, voucher: row.voucher ? 1 : 0, requested_ms: row.requestedMs },
    };
  }

  /** To be written with the input's verdict. */
  resultStatement(inputId: number, r: DisclosureResult): Statement {
    return {
      sql: SQL.result,
      params: {
        input_id: inputId, notice_index: r.noticeIndex, count: r.count.toString(), sum: r.sum.toString(), min: r.min.toString(),
        max: r.max.toString(), state_hash: r.stateHash,
      },
      expect: 1,
    };
  }

  #state(r: RawDisclosureRow): DisclosureState {
    const input = this.#input(r.input_id);
    if (input === undefined) throw new Error(`disclosure ${r.input_id} has no input`);
    return {
      inputId: r.input_id,
      device: new Uint8Array(r.device),
      period: r.period,
      voucher: r.voucher !== 0,
      requestedMs: r.requested_ms,
      input,
      result: r.notice_index === null ? null : {
        noticeIndex: r.notice_index, count: BigInt(r.count!), sum: BigInt(r.sum!), min: BigInt(r.min!), max: BigInt(r.max!),
        stateHash: new Uint8Array(r.state_hash!),
      },
    };
  }
}
