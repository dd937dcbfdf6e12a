// The settlement tables (schema v3): every record the dApp accepted, the settled periods
// with their vouchers, and the settlement follower's cursor over the app's outputs.

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";
import { u64Bytes } from "@lcore/protocol/bytes";

/** A record as the dApp numbered it (its id: acceptance order, from 1). */
export interface ChainRecord {
  recordId: bigint;
  device: Uint8Array;
  seq: bigint;
  recordHash: Uint8Array;
  noticeIndex: number;
}

/** What the period's 0x90 notice says. */
export interface PeriodNotice {
  period: bigint;
  recordsRoot: Uint8Array;
  recordCount: bigint;
  firstRecord: bigint;
  stateHash: Uint8Array;
  noticeIndex: number;
}

/** The period's settlePeriod voucher: its output index and bytes. */
export interface PeriodVoucher {
  period: bigint;
  voucherIndex: number;
  voucher: Uint8Array;
}

/** A settled period as its 0x90 notice gave it. */
export interface SettledPeriod {
  period: bigint;
  firstRecord: bigint;
  recordCount: bigint;
  recordsRoot: Uint8Array;
}

export interface PeriodRow {
  period: bigint;
  recordsRoot: Uint8Array | null;
  recordCount: bigint | null;
  firstRecord: bigint | null;
  stateHash: Uint8Array | null;
  noticeIndex: number | null;
  voucherIndex: number | null;
  voucher: Uint8Array | null;
  executedTx: Uint8Array | null;
  executedMs: number | null;
}

/** Where an accepted reading sits in the chain's records, and its period once settled. */
export interface RecordPlace {
  recordId: bigint;
  recordHash: Uint8Array;
  period: PeriodRow | null;
}

/** The inputs the tick timer decides from (settlement/ticker.ts). */
export interface TickFacts {
  /** The last of the gateway's record batches the dApp accepted. */
  lastRecords: { inputIndex: number; blockNumber: number } | null;
  /** Whether the follower has seen that batch's records in a settled period. */
  lastRecordsSettled: boolean;
  /** The last tick the gateway created; inputIndex/blockNumber/nodeStatus null while it is on its way. */
  lastTick: { inputIndex: number | null; blockNumber: number | null; nodeStatus: string | null } | null;
  /** The latest period the follower has seen settled. */
  settledThrough: bigint | null;
}

interface RawPeriod {
  period: number;
  records_root: Buffer | null;
  record_count: number | null;
  first_record: number | null;
  state_hash: Buffer | null;
  notice_index: number | null;
  voucher_index: number | null;
  voucher: Buffer | null;
  executed_tx: Buffer | null;
  executed_ms: number | null;
}

const u8OrNull = (b: Buffer | null): Uint8Array | null => (b === null ? null : new Uint8Array(b));
const bigOrNull = (n: number | null): bigint | null => (n === null ? null : BigInt(n));

function periodFromRaw(r: RawPeriod): PeriodRow {
  return {
    period: BigInt(r.period),
    recordsRoot: u8OrNull(r.records_root),
    recordCount: bigOrNull(r.record_count),
    firstRecord: bigOrNull(r.first_record),
    stateHash: u8OrNull(r.state_hash),
    noticeIndex: r.notice_index,
    voucherIndex: r.voucher_index,
    voucher: u8OrNull(r.voucher),
    executedTx: u8OrNull(r.executed_tx),
    executedMs: r.executed_ms,
  };
}

const SQL = {
  record: `INSERT INTO chain_records (record_id, device, seq, record_hash, notice_index)
    VALUES (@record_id, @device, @seq, @record_hash, @notice_index)`,
  notice: `INSERT INTO periods (period, records_root, record_count, first_record, state_hash, notice_index)
    VALUES (@period, @records_root, @record_count, @first_record, @state_hash, @notice_index)
    ON CONFLICT (period) DO UPDATE SET records_root = excluded.records_root, record_count = excluded.record_count,
      first_record = excluded.first_record, state_hash = excluded.state_hash, notice_index = excluded.notice_index`,
  voucher: `INSERT INTO periods (period, voucher_index, voucher) VALUES (@period, @voucher_index, @voucher)
    ON CONFLICT (period) DO UPDATE SET voucher_index = excluded.voucher_index, voucher = excluded.voucher`,
  cursor: "UPDATE settlement_cursor SET next_output = @next_output WHERE one = 1 AND next_output = @from",
  executed:
    "UPDATE periods SET executed_tx = @executed_tx, executed_ms = @executed_ms WHERE period = @period AND executed_ms IS NULL",
};

export class SettlementStore {
  readonly #cursor;
  readonly #nextRecord;
  readonly #period;
  readonly #unexecuted;
  readonly #settledThrough;
  readonly #place;
  readonly #leaves;
  readonly #lastRecords;
  readonly #inputSettled;
  readonly #lastTick;
  readonly #recentPeriods;
  readonly #settled;
  readonly #acceptedNotice;

  constructor(db: OutboxDb) {
    this.#cursor = db.prepare<[], { next_output: number }>("SELECT next_output FROM settlement_cursor WHERE one = 1");
    this.#nextRecord = db.prepare<[], { n: number }>("SELECT coalesce(max(record_id), 0) + 1 AS n FROM chain_records");
    this.#period = db.prepare<[number], RawPeriod>("SELECT * FROM periods WHERE period = ?");
    this.#unexecuted = db.prepare<[number], RawPeriod>(
      "SELECT * FROM periods WHERE voucher_index IS NOT NULL AND executed_ms IS NULL ORDER BY period LIMIT ?",
    );
    this.#settledThrough = db.prepare<[], { p: number | null }>(
      "SELECT max(period) AS p FROM periods WHERE notice_index IS NOT NULL",
    );
    this.#place = db.prepare<
      [Uint8Array, Uint8Array],
      { record_id: number; record_hash: Buffer; period: number | null }
    >(`
      SELECT c.record_id, c.record_hash,
        (SELECT p.period FROM periods p WHERE p.first_record <= c.record_id AND c.record_id < p.first_record + p.record_count) AS period
      FROM chain_records c WHERE c.device = ? AND c.seq = ? ORDER BY c.record_id DESC LIMIT 1`);
    this.#leaves = db.prepare<[number, number], { record_hash: Buffer }>(
      "SELECT record_hash FROM chain_records WHERE record_id >= ? AND record_id < ? ORDER BY record_id",
    );
    this.#lastRecords = db.prepare<[], { id: number; input_index: number; block_number: number }>(`
      SELECT id, input_index, block_number FROM inputs WHERE kind = 'records' AND node_status = 'ACCEPTED'
      ORDER BY input_index DESC LIMIT 1`);
    this.#inputSettled = db.prepare<[number], { settled: number }>(`
      SELECT EXISTS (SELECT 1 FROM readings r
        JOIN chain_records c ON c.device = r.device AND c.seq = r.seq
        JOIN periods p ON p.notice_index IS NOT NULL AND p.first_record <= c.record_id AND c.record_id < p.first_record + p.record_count
        WHERE r.input_id = ? AND r.outcome = 'accepted') AS settled`);
    this.#lastTick = db.prepare<
      [],
      { input_index: number | null; block_number: number | null; node_status: string | null }
    >("SELECT input_index, block_number, node_status FROM inputs WHERE kind = 'tick' ORDER BY id DESC LIMIT 1");
    this.#recentPeriods = db.prepare<[number], RawPeriod>("SELECT * FROM periods ORDER BY period DESC LIMIT ?");
    this.#acceptedNotice = db.prepare<[Uint8Array, Uint8Array, Uint8Array], { notice_index: number }>(
      "SELECT notice_index FROM chain_records WHERE device = ? AND seq = ? AND record_hash = ? ORDER BY record_id LIMIT 1",
    );
    this.#settled = db.prepare<
      [],
      { period: number; first_record: number; record_count: number; records_root: Buffer }
    >(
      "SELECT period, first_record, record_count, records_root FROM periods WHERE notice_index IS NOT NULL ORDER BY period",
    );
  }

  /**
   * Every period the follower has seen settled, in settlement order (= period order): what
   * the dApp's prune point follows from (PROTOCOL §11). One row per settled period, 8,760 a
   * year of hourly periods.
   */
  settledPeriods(): SettledPeriod[] {
    return this.#settled.all().map((r) => ({
      period: BigInt(r.period),
      firstRecord: BigInt(r.first_record),
      recordCount: BigInt(r.record_count),
      recordsRoot: new Uint8Array(r.records_root),
    }));
  }

  /** The newest settled periods, newest first. */
  recentPeriods(limit: number): PeriodRow[] {
    return this.#recentPeriods.all(limit).map(periodFromRaw);
  }

  /** The next output index to read, and the id the next accepted record will have. */
  cursor(): { nextOutput: number; nextRecord: bigint } {
    return { nextOutput: this.#cursor.get()?.next_output ?? 0, nextRecord: BigInt(this.#nextRecord.get()?.n ?? 1) };
  }

  period(period: bigint): PeriodRow | undefined {
    const r = this.#period.get(Number(period));
    return r === undefined ? undefined : periodFromRaw(r);
  }

  /** Periods whose voucher is known and not yet seen executed, oldest first. */
  unexecuted(limit: number): PeriodRow[] {
    return this.#unexecuted.all(limit).map(periodFromRaw);
  }

  settledThrough(): bigint | null {
    return bigOrNull(this.#settledThrough.get()?.p ?? null);
  }

  /** The chain's record for (device, seq), if the follower has read it, with its settled period. */
  place(device: Uint8Array, seq: bigint): RecordPlace | undefined {
    const r = this.#place.get(device, u64Bytes(seq));
    if (r === undefined) return undefined;
    const period = r.period === null ? undefined : this.period(BigInt(r.period));
    return { recordId: BigInt(r.record_id), recordHash: new Uint8Array(r.record_hash), period: period ?? null };
  }

  /** The notice in which the dApp accepted a record of exactly these bytes (record hash), or null if the follower has read none. */
  acceptedNotice(device: Uint8Array, seq: bigint, recordHash: Uint8Array): number | null {
    return this.#acceptedNotice.get(device, u64Bytes(seq), recordHash)?.notice_index ?? null;
  }

  /** The record hashes of ids first … first + count − 1: a period's leaves. */
  leaves(first: bigint, count: bigint): Uint8Array[] {
    return this.#leaves.all(Number(first), Number(first + count)).map((r) => new Uint8Array(r.record_hash));
  }

  tickFacts(): TickFacts {
    const r = this.#lastRecords.get();
    const t = this.#lastTick.get();
    return {
      lastRecords: r === undefined ? null : { inputIndex: r.input_index, blockNumber: r.block_number },
      lastRecordsSettled: r === undefined ? false : this.#inputSettled.get(r.id)?.settled === 1,
      lastTick:
        t === undefined ? null : { inputIndex: t.input_index, blockNumber: t.block_number, nodeStatus: t.node_status },
      settledThrough: this.settledThrough(),
    };
  }

  recordStatement(r: ChainRecord): Statement {
    return {
      sql: SQL.record,
      params: {
        record_id: Number(r.recordId),
        device: r.device,
        seq: u64Bytes(r.seq),
        record_hash: r.recordHash,
        notice_index: r.noticeIndex,
      },
    };
  }

  noticeStatement(n: PeriodNotice): Statement {
    return {
      sql: SQL.notice,
      params: {
        period: Number(n.period),
        records_root: n.recordsRoot,
        record_count: Number(n.recordCount),
        first_record: Number(n.firstRecord),
        state_hash: n.stateHash,
        notice_index: n.noticeIndex,
      },
    };
  }

  voucherStatement(v: PeriodVoucher): Statement {
    return {
      sql: SQL.voucher,
      params: { period: Number(v.period), voucher_index: v.voucherIndex, voucher: v.voucher },
    };
  }

  /** Moves the cursor from `from` to `to`; fails (rolling back the pass) if another pass moved it. */
  cursorStatement(from: number, to: number): Statement {
    return { sql: SQL.cursor, params: { next_output: to, from }, expect: 1 };
  }

  executedStatement(period: bigint, txHash: Uint8Array | null, nowMs: number): Statement {
    return { sql: SQL.executed, params: { period: Number(period), executed_tx: txHash, executed_ms: nowMs } };
  }
}
