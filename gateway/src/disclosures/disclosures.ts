// Key disclosures (PROTOCOL §10): the owner asks the gateway to publish the period key
// of one device and one disclosure period; the gateway derives it from the owner master
// key, writes the 0x11 input and its disclosures row in one transaction, and the
// submitter carries it to the chain behind every input created before it.
//
// Checks made here so that a disclosure the dApp would refuse, or one that would miss
// readings, costs no gas and publishes no key: the period must be over on the gateway's
// clock, the later of the wall clock and the chain's (chain/chainClock.ts) (readings of
// it may still arrive otherwise, and they would be sealed under a key already public);
// the gateway must hold readings of it; none of them may still wait for
// an input (inputs reach the chain in creation order, so the disclosure would overtake
// them); and the period must not be disclosed or being disclosed already (the dApp
// accepts one disclosure per device and period; a rejected one may be asked again).
//
// A day some of whose records the dApp has pruned (PROTOCOL §11) cannot be disclosed with
// 0x11 (period_pruned): the gateway works out the dApp's prune point from the settled
// periods its settlement follower has read (settlement/prunedEntries.ts), and if any reading of the
// day is at or below it, queues the day's pruned records with their proofs as 0x12 parts
// (PROTOCOL §11.1), each within the payload bound, one after the other; the dApp adds the
// day's records still in its state with the last part. A 0x12 left under way in the dApp
// (its records were pruned further while the parts travelled: the status says
// disclosure_incomplete) is continued by asking again: the new parts carry the records
// after the last one the dApp accepted, with the same flags. A day more than 31 days old
// is refused before anything is derived (the dApp would refuse it: disclosure_window_closed).
//
// From the moment a request passes that last check, the period is closed to readings
// (ingest asks `closed`, synchronously, before it hands a reading to the group commit),
// and the request waits for the group commit to write what it already holds before it
// counts the queued readings: so no reading of the period is sealed once its key may be
// public, and every reading of it is in an input created before the disclosure's.

import { DISCLOSURE_PERIOD_SECONDS, DISCLOSURE_WINDOW_DAYS, MAX_PAYLOAD_LENGTH } from "@lcore/protocol/bounds";
import { encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { type PrunedEntry, encodePrunedDisclosureParts } from "@lcore/protocol/prunedDisclosure";
import type { WireRecord } from "@lcore/protocol/recordBatch";
import type { DeviceRegistry } from "../devices/deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import { toHex } from "@lcore/protocol/bytes";
import type { DisclosureRow, DisclosureState } from "../outbox/disclosureStore.js";
import type { Outbox } from "../outbox/outbox.js";
import type { Statement } from "../outbox/writer.js";
import { prunedRecords } from "../settlement/prunedEntries.js";
import type { Sealer } from "../readings/sealer.js";
import { type Progress, progressOf } from "../readings/status.js";

/** Seconds a client should wait when readings of the period are still queued (about one batcher delay). */
const QUEUED_RETRY_SECONDS = 2;
/** Seconds to wait before continuing a pruned day's disclosure with nothing more to send: records are pruned at settlements, hourly. */
const INCOMPLETE_RETRY_SECONDS = 60;

export interface DisclosureRequest {
  device: Uint8Array;
  period: number;
  voucher: boolean;
}

export function disclosureStatusUrl(id: number): string {
  return `/v1/disclosures/${id}`;
}

/** Where a disclosure is: its input's progress, then the dApp's verdict (accepted only with its 0x91 notice read). */
export function disclosureProgress(d: DisclosureState): Progress {
  const { input } = d;
  const outcome =
    input.nodeStatus === null ? null : input.nodeStatus === "ACCEPTED" && d.result !== null ? "accepted" : "rejected";
  // A pruned day's last part accepted without the 0x91: the dApp counts more pruned records than the parts carried.
  const noNotice = d.parts.length > 0 ? "disclosure_incomplete" : "no_disclosure_notice";
  const reason =
    outcome !== "rejected"
      ? null
      : (input.reason ?? (input.nodeStatus === "ACCEPTED" ? noNotice : input.nodeStatus!.toLowerCase()));
  return progressOf({
    inputId: input.id,
    txHash: input.txHash,
    sentTxHash: input.sentTxHash,
    blockNumber: input.blockNumber,
    inputIndex: input.inputIndex,
    finalMs: input.finalMs,
    nodeStatus: input.nodeStatus,
    outcome,
    reason,
    noticeIndex: d.result?.noticeIndex ?? null,
  });
}

export class Disclosures {
  readonly #d: { outbox: Outbox; registry: DeviceRegistry; sealer: Sealer };
  /** Device-periods whose request is being checked and written: closed to readings and to a second request. */
  readonly #writing = new Set<string>();

  constructor(deps: { outbox: Outbox; registry: DeviceRegistry; sealer: Sealer }) {
    this.#d = deps;
  }

  /** Whether readings of this device and period must be refused: a disclosure of it is queued or being requested. */
  closed(device: Uint8Array, period: number): boolean {
    return this.#writing.has(`${toHex(device)}:${period}`) || this.#d.outbox.disclosures.has(device, period);
  }

  /** Validates, then stores the input and its row; returns the disclosure's id. Throws a GatewayError; stores nothing then. */
  async request(req: DisclosureRequest, nowMs: number): Promise<number> {
    const { outbox, registry, sealer } = this.#d;
    const hex = toHex(req.device);
    if (registry.get(hex) === undefined)
      throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: hex } });
    const from = BigInt(req.period) * DISCLOSURE_PERIOD_SECONDS;
    const end = from + DISCLOSURE_PERIOD_SECONDS;
    if (BigInt(Math.floor(nowMs / 1000)) < end) {
      throw new GatewayError(
        "LCORE_GW_PERIOD_NOT_OVER",
        `period ${req.period} ends at ${end} s (unix), the gateway's clock is earlier`,
      );
    }
    // PROTOCOL §11: the dApp discloses a day while period ≥ today − 31 (its today: the block's).
    const oldest = BigInt(Math.floor(nowMs / 1000)) / DISCLOSURE_PERIOD_SECONDS - DISCLOSURE_WINDOW_DAYS;
    if (BigInt(req.period) < oldest) {
      throw new GatewayError(
        "LCORE_GW_DISCLOSURE_WINDOW_CLOSED",
        `period ${req.period} is before ${oldest}, the oldest day the dApp still discloses`,
      );
    }
    const key = `${hex}:${req.period}`;
    const before = outbox.disclosures.ofPeriod(req.device, req.period);
    const earlier = before.find((d) => disclosureProgress(d).status !== "rejected");
    if (earlier !== undefined || this.#writing.has(key)) {
      throw new GatewayError("LCORE_GW_DISCLOSURE_EXISTS", undefined, {
        details: earlier === undefined ? {} : { id: earlier.inputId, statusUrl: disclosureStatusUrl(earlier.inputId) },
      });
    }
    this.#writing.add(key);
    try {
      // Readings that passed ingest before the line above may still be in the group
      // commit: an empty submission resolves once everything handed to it before is written.
      if (outbox.appending > 0) await outbox.append([]);
      const readings = outbox.disclosures.readingsIn(req.device, Number(from), Number(end - 1n));
      if (readings.all === 0) throw new GatewayError("LCORE_GW_DISCLOSURE_NO_READINGS");
      if (readings.queued > 0) {
        throw new GatewayError(
          "LCORE_GW_DISCLOSURE_READINGS_QUEUED",
          `${readings.queued} readings of the period wait for an input`,
          {
            retryAfter: QUEUED_RETRY_SECONDS,
          },
        );
      }
      const pruned = prunedRecords(outbox, req.device, from, end - 1n).entries;
      // Read again: the follower may have recorded a verdict on an earlier part meanwhile.
      const underWay = this.#underWay(outbox.disclosures.ofPeriod(req.device, req.period));
      const entries = underWay === null ? pruned : pruned.filter((e) => e.record.seq > underWay.lastSeq);
      if (underWay !== null) {
        if (entries.length === 0) {
          throw new GatewayError("LCORE_GW_DISCLOSURE_INCOMPLETE", undefined, { retryAfter: INCOMPLETE_RETRY_SECONDS });
        }
        if (underWay.voucher !== req.voucher) {
          throw new GatewayError(
            "LCORE_GW_DISCLOSURE_EXISTS",
            `the dApp's disclosure of this day under way has aggregateVoucher ${underWay.voucher}; continue it with the same`,
          );
        }
      }
      const row = { device: req.device, period: req.period, voucher: req.voucher, requestedMs: nowMs };
      const periodKey = sealer.disclosureKey(req.device, req.period);
      let queued: { id: number; statements: Statement[] };
      try {
        queued =
          entries.length === 0
            ? this.#keyDisclosure(row, periodKey, nowMs)
            : this.#parts(row, periodKey, entries, nowMs);
      } finally {
        periodKey.fill(0);
      }
      await outbox.write(queued.statements);
      const id = queued.id;
      return id;
    } finally {
      this.#writing.delete(key);
    }
  }

  /** The 0x11 input and the disclosure's row. */
  #keyDisclosure(
    row: Omit<DisclosureRow, "inputId">,
    periodKey: Uint8Array,
    nowMs: number,
  ): { id: number; statements: Statement[] } {
    const { outbox } = this.#d;
    const input = outbox.inputs.create("disclosure", encodeKeyDisclosure({ ...row, periodKey }), nowMs);
    return {
      id: input.id,
      statements: [input.statement, outbox.disclosures.insertStatement({ inputId: input.id, ...row })],
    };
  }

  /** The 0x12 parts of a pruned day as inputs, in order, with the disclosure's row (named by the first) and one row per part. */
  #parts(
    row: Omit<DisclosureRow, "inputId">,
    periodKey: Uint8Array,
    entries: PrunedEntry<WireRecord>[],
    nowMs: number,
  ): { id: number; statements: Statement[] } {
    const { outbox } = this.#d;
    const payloads = encodePrunedDisclosureParts(
      { device: row.device, period: row.period, periodKey, voucher: row.voucher, entries },
      MAX_PAYLOAD_LENGTH,
    );
    const inputs = payloads.map((p) => outbox.inputs.create("disclosure", p, nowMs));
    const disclosureId = inputs[0]!.id;
    const statements = [
      ...inputs.map((i) => i.statement),
      outbox.disclosures.insertStatement({ inputId: disclosureId, ...row }),
    ];
    let taken = 0;
    for (const [part, input] of inputs.entries()) {
      // count(u16) at bytes 59..60 of the part (PROTOCOL §11.1): the entries it carries, in order.
      const records = (payloads[part]![59]! << 8) | payloads[part]![60]!;
      taken += records;
      statements.push(
        outbox.disclosures.partStatement({
          inputId: input.id,
          disclosureId,
          part,
          records,
          lastSeq: entries[taken - 1]!.record.seq,
        }),
      );
    }
    return { id: disclosureId, statements };
  }

  /**
   * The dApp's 0x12 of this day under way, as the gateway's earlier requests left it: the
   * last seq it accepted (a continuation must follow it) and its flags; null if no part of
   * an unfinished disclosure of the day was accepted.
   */
  #underWay(before: DisclosureState[]): { lastSeq: bigint; voucher: boolean } | null {
    let out: { lastSeq: bigint; voucher: boolean } | null = null;
    for (const d of before) {
      if (d.result !== null) continue;
      for (const p of d.parts) {
        if (p.input.nodeStatus === "ACCEPTED" && (out === null || p.lastSeq > out.lastSeq))
          out = { lastSeq: p.lastSeq, voucher: d.voucher };
      }
    }
    return out;
  }
}
