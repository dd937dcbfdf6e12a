// What the console's health strip and chart read from the outbox (console/healthStrip.ts,
// consoleRoutes.ts): the depth of each stage, the dApp's verdicts of a recent window grouped
// by reason, the newest settlement, and readings per minute. Each query is bounded by an
// index (inputs_processed and readings_by_received, v12, for the windows; the partial
// indexes of v1–v9 for the stages): its cost follows the window's activity, never the size
// of the outbox.

import type { OutboxDb } from "./database.js";

export interface Verdicts {
  /** Inputs the node processed in the window, by verdict. */
  inputsAccepted: number;
  inputsRejected: number;
  /** Whole inputs the dApp rejected, by reason (the node's status in lower case when the dApp gave none). */
  inputReasons: { reason: string; count: number }[];
  /** Readings of the window's inputs, by the dApp's verdict. */
  readingsAccepted: number;
  readingsRejected: number;
  readingReasons: { reason: string; count: number }[];
}

export interface LastSettlement {
  period: number;
  executedMs: number;
  executedTx: Buffer | null;
  recordCount: number | null;
}

/** At most this many reasons per kind in the strip. */
const REASONS = 10;

export class ActivityStore {
  readonly #waitingVerdict;
  readonly #inputVerdicts;
  readonly #inputReasons;
  readonly #readingVerdicts;
  readonly #readingReasons;
  readonly #lastSettlement;
  readonly #lastMined;
  readonly #perMinuteTotal;
  readonly #perMinuteTop;

  constructor(db: OutboxDb) {
    this.#waitingVerdict = db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM inputs WHERE input_index IS NOT NULL AND node_status IS NULL",
    );
    this.#inputVerdicts = db.prepare<[number], { accepted: number | null; rejected: number | null }>(`
      SELECT sum(node_status = 'ACCEPTED') AS accepted, sum(node_status <> 'ACCEPTED') AS rejected
      FROM inputs INDEXED BY inputs_processed WHERE processed_ms >= ?`);
    this.#inputReasons = db.prepare<[number, number], { reason: string; n: number }>(`
      SELECT coalesce(reason, lower(node_status)) AS reason, count(*) AS n
      FROM inputs INDEXED BY inputs_processed WHERE processed_ms >= ? AND node_status <> 'ACCEPTED'
      GROUP BY 1 ORDER BY n DESC, reason LIMIT ?`);
    this.#readingVerdicts = db.prepare<[number], { accepted: number | null; rejected: number | null }>(`
      SELECT sum(r.outcome = 'accepted') AS accepted, sum(r.outcome = 'rejected') AS rejected
      FROM inputs i INDEXED BY inputs_processed JOIN readings r ON r.input_id = i.id
      WHERE i.processed_ms >= ? AND i.kind = 'records'`);
    this.#readingReasons = db.prepare<[number, number], { reason: string; n: number }>(`
      SELECT coalesce(r.reason, 'unknown') AS reason, count(*) AS n
      FROM inputs i INDEXED BY inputs_processed JOIN readings r ON r.input_id = i.id
      WHERE i.processed_ms >= ? AND i.kind = 'records' AND r.outcome = 'rejected'
      GROUP BY 1 ORDER BY n DESC, reason LIMIT ?`);
    this.#lastSettlement = db.prepare<
      [],
      { period: number; executed_ms: number; executed_tx: Buffer | null; record_count: number | null }
    >(
      "SELECT period, executed_ms, executed_tx, record_count FROM periods WHERE executed_ms IS NOT NULL ORDER BY executed_ms DESC LIMIT 1",
    );
    this.#perMinuteTotal = db.prepare<[number], { minute: number; n: number }>(`
      SELECT received_ms / 60000 AS minute, count(*) AS n FROM readings INDEXED BY readings_by_received
      WHERE received_ms >= ? GROUP BY minute ORDER BY minute`);
    this.#perMinuteTop = db.prepare<[number, number, number], { minute: number; device: Buffer; n: number }>(`
      WITH w AS (SELECT received_ms / 60000 AS minute, device FROM readings INDEXED BY readings_by_received
          WHERE received_ms >= ?),
        top AS (SELECT device FROM w GROUP BY device ORDER BY count(*) DESC, device LIMIT ?)
      SELECT minute, device, count(*) AS n FROM w WHERE device IN top AND minute >= ? / 60000
      GROUP BY minute, device ORDER BY minute, device`);
    this.#lastMined = db.prepare<[], { block_number: number; input_index: number }>(
      "SELECT block_number, input_index FROM inputs INDEXED BY inputs_by_block WHERE input_index IS NOT NULL ORDER BY block_number DESC LIMIT 1",
    );
  }

  /** Inputs mined whose verdict the gateway has not read yet. */
  waitingVerdict(): number {
    return this.#waitingVerdict.get()?.n ?? 0;
  }

  /** The dApp's verdicts on inputs processed since `sinceMs` (the gateway's clock when it read them). */
  verdicts(sinceMs: number): Verdicts {
    const inputs = this.#inputVerdicts.get(sinceMs);
    const readings = this.#readingVerdicts.get(sinceMs);
    const reasons = (rows: { reason: string; n: number }[]) => rows.map((r) => ({ reason: r.reason, count: r.n }));
    return {
      inputsAccepted: inputs?.accepted ?? 0,
      inputsRejected: inputs?.rejected ?? 0,
      inputReasons: reasons(this.#inputReasons.all(sinceMs, REASONS)),
      readingsAccepted: readings?.accepted ?? 0,
      readingsRejected: readings?.rejected ?? 0,
      readingReasons: reasons(this.#readingReasons.all(sinceMs, REASONS)),
    };
  }

  lastSettlement(): LastSettlement | undefined {
    const r = this.#lastSettlement.get();
    return r === undefined
      ? undefined
      : { period: r.period, executedMs: r.executed_ms, executedTx: r.executed_tx, recordCount: r.record_count };
  }

  /** The newest block holding one of the gateway's inputs, and that input's index. */
  lastMined(): { blockNumber: number; inputIndex: number } | undefined {
    const r = this.#lastMined.get();
    return r === undefined ? undefined : { blockNumber: r.block_number, inputIndex: r.input_index };
  }

  /** Readings received per minute since `sinceMs`, all devices. */
  perMinuteTotal(sinceMs: number): { minute: number; count: number }[] {
    return this.#perMinuteTotal.all(sinceMs).map((r) => ({ minute: r.minute, count: r.n }));
  }

  /** Readings received per minute and device since `sinceMs`, for the `devices` devices that sent most. */
  perMinuteTop(sinceMs: number, devices: number): { minute: number; device: Uint8Array; count: number }[] {
    return this.#perMinuteTop
      .all(sinceMs, devices, sinceMs)
      .map((r) => ({ minute: r.minute, device: new Uint8Array(r.device), count: r.n }));
  }
}
