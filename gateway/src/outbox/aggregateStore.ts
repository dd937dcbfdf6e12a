// The dApp's recordAggregate vouchers (schema v10): read by the settlement follower,
// executed by the voucher executor like the settlePeriod vouchers, shown with their
// disclosure.

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";

/** One recordAggregate voucher the dApp emitted. */
export interface AggregateVoucher {
  voucherIndex: number;
  device: Uint8Array;
  period: number;
  voucher: Uint8Array;
}

export interface AggregateVoucherRow extends AggregateVoucher {
  executedTx: Uint8Array | null;
  executedMs: number | null;
}

interface RawAggregate {
  voucher_index: number;
  device: Buffer;
  period: number;
  voucher: Buffer;
  executed_tx: Buffer | null;
  executed_ms: number | null;
}

const fromRaw = (r: RawAggregate): AggregateVoucherRow => ({
  voucherIndex: r.voucher_index,
  device: new Uint8Array(r.device),
  period: r.period,
  voucher: new Uint8Array(r.voucher),
  executedTx: r.executed_tx === null ? null : new Uint8Array(r.executed_tx),
  executedMs: r.executed_ms,
});

const SQL = {
  insert: `INSERT INTO aggregate_vouchers (voucher_index, device, period, voucher)
    VALUES (@voucher_index, @device, @period, @voucher)
    ON CONFLICT (voucher_index) DO UPDATE SET device = excluded.device, period = excluded.period, voucher = excluded.voucher`,
  executed:
    "UPDATE aggregate_vouchers SET executed_tx = @executed_tx, executed_ms = @executed_ms WHERE voucher_index = @voucher_index AND executed_ms IS NULL",
};

export class AggregateStore {
  readonly #unexecuted;
  readonly #ofPeriod;

  constructor(db: OutboxDb) {
    this.#unexecuted = db.prepare<[number], RawAggregate>(
      "SELECT * FROM aggregate_vouchers WHERE executed_ms IS NULL ORDER BY voucher_index LIMIT ?",
    );
    this.#ofPeriod = db.prepare<[Uint8Array, number], RawAggregate>(
      "SELECT * FROM aggregate_vouchers WHERE device = ? AND period = ? ORDER BY voucher_index DESC LIMIT 1",
    );
  }

  unexecuted(limit: number): AggregateVoucherRow[] {
    return this.#unexecuted.all(limit).map(fromRaw);
  }

  /** The newest aggregate voucher of a device's disclosure period, if the follower has read one. */
  ofPeriod(device: Uint8Array, period: number): AggregateVoucherRow | undefined {
    const r = this.#ofPeriod.get(device, period);
    return r === undefined ? undefined : fromRaw(r);
  }

  insertStatement(v: AggregateVoucher): Statement {
    return {
      sql: SQL.insert,
      params: { voucher_index: v.voucherIndex, device: v.device, period: v.period, voucher: v.voucher },
    };
  }

  executedStatement(voucherIndex: number, txHash: Uint8Array | null, nowMs: number): Statement {
    return { sql: SQL.executed, params: { voucher_index: voucherIndex, executed_tx: txHash, executed_ms: nowMs } };
  }
}
