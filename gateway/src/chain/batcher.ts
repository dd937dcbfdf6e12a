// Packs queued readings into record-batch inputs (PROTOCOL: kind 0x04), oldest first.
//
// An input is cut when it is full (the next record would pass the payload or count
// bound) or when its oldest reading has waited `maxDelayMs`. Creating the input and
// assigning its readings is one transaction, so a reading belongs to exactly one input
// from that moment on; the submitter then carries that input to the chain exactly once.
// While `maxPendingInputs` inputs wait for the chain, nothing more is packed, so a chain
// outage backs up into the outbox's queued bound (503 LCORE_GW_OUTBOX_FULL), not into
// an unbounded pile of inputs.
//
// A queued reading of a device the chain refuses (devices/deviceMarks.ts) is never packed: it is
// withdrawn instead. Marking withdraws the device's queued readings already; this catches
// one that passed ingest just before the mark reached memory.

import { BATCH_HEADER_LENGTH, MAX_BATCH_RECORDS, MAX_PAYLOAD_LENGTH, MAX_SEALED_LENGTH } from "@lcore/protocol/bounds";
import { encodeRecordBatch, recordLength } from "@lcore/protocol/recordBatch";
import type { GatewayContext } from "../context.js";
import { toHex } from "@lcore/protocol/bytes";
import type { ReadingRow } from "../outbox/readingStore.js";
import { type Marking, writeWithMarks } from "../devices/deviceMarks.js";
import { failpoint } from "./failpoints.js";

export interface BatcherSettings {
  maxDelayMs: number;
  maxRecords: number;
  maxPayloadBytes: number;
  maxPendingInputs: number;
}

export const DEFAULT_BATCHER: BatcherSettings = {
  maxDelayMs: 2000,
  maxRecords: MAX_BATCH_RECORDS,
  maxPayloadBytes: MAX_PAYLOAD_LENGTH,
  maxPendingInputs: 64,
};

export function batcherSettings(partial: Partial<BatcherSettings> = {}): BatcherSettings {
  const s = { ...DEFAULT_BATCHER, ...partial };
  if (s.maxRecords < 1 || s.maxRecords > MAX_BATCH_RECORDS)
    throw new RangeError(`maxRecords must be 1..${MAX_BATCH_RECORDS}`);
  const smallest = BATCH_HEADER_LENGTH + recordLength(MAX_SEALED_LENGTH);
  if (s.maxPayloadBytes < smallest || s.maxPayloadBytes > MAX_PAYLOAD_LENGTH) {
    // At least one largest record must fit, or a reading with a full payload could never leave.
    throw new RangeError(`maxPayloadBytes must be ${smallest}..${MAX_PAYLOAD_LENGTH}`);
  }
  return s;
}

export class Batcher {
  readonly #ctx: GatewayContext;
  readonly #s: BatcherSettings;

  constructor(ctx: GatewayContext, settings: BatcherSettings) {
    this.#ctx = ctx;
    this.#s = settings;
  }

  /** Cuts every input that is due now; returns how many. */
  async tick(nowMs: number): Promise<number> {
    let made = 0;
    while (this.#ctx.outbox.inputs.countUnincluded() < this.#s.maxPendingInputs) {
      const rows = this.#ctx.outbox.readings.queued(this.#s.maxRecords);
      if (rows.length === 0) break;
      const refused = this.#refused(rows);
      if (refused.length > 0) {
        await writeWithMarks(this.#ctx, [], refused);
        continue; // each pass withdraws at least one reading, so this ends
      }
      const take: ReadingRow[] = [];
      let bytes = BATCH_HEADER_LENGTH;
      for (const r of rows) {
        const n = recordLength(r.sealed.length);
        if (bytes + n > this.#s.maxPayloadBytes) break;
        take.push(r);
        bytes += n;
      }
      const full = take.length < rows.length || take.length === this.#s.maxRecords;
      const due = nowMs - rows[0]!.receivedMs >= this.#s.maxDelayMs;
      if (!full && !due) break;
      await this.#pack(take, nowMs);
      made++;
    }
    return made;
  }

  /** The marked devices among `rows`' devices, with their marks (writing a mark again changes nothing). */
  #refused(rows: ReadingRow[]): Marking[] {
    const out = new Map<string, Marking>();
    for (const r of rows) {
      const state = this.#ctx.registry.get(toHex(r.device));
      if (state !== undefined && state.chainMark !== null) out.set(state.hex, { state, mark: state.chainMark });
    }
    return [...out.values()];
  }

  async #pack(rows: ReadingRow[], nowMs: number): Promise<void> {
    const { outbox, metrics } = this.#ctx;
    const payload = encodeRecordBatch(
      rows.map((r) => ({
        device: r.device,
        seq: r.seq,
        timestamp: r.timestamp,
        bodyHash: r.bodyHash,
        signature: r.signature,
        sealed: r.sealed,
      })),
    );
    const last = new Map<string, ReadingRow>();
    for (const r of rows) last.set(toHex(r.device), r); // outbox order is seq order per device
    const input = outbox.inputs.create("records", payload, nowMs);
    await outbox.write([
      input.statement,
      ...rows.map((r, position) => outbox.readings.assignStatement(r.id, input.id, position)),
      ...[...last.values()].map((r) => outbox.devices.advanceLastSeqStatement(r.device, r.seq)),
    ]);
    outbox.notePacked(rows.length);
    metrics.batchRecords.observe(rows.length);
    metrics.batchBytes.observe(payload.length);
    failpoint("batch-created");
  }
}
