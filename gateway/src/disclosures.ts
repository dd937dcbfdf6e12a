// Key disclosures (PROTOCOL §10): the owner asks the gateway to publish the period key
// of one device and one disclosure period; the gateway derives it from the owner master
// key, writes the 0x11 input and its disclosures row in one transaction, and the
// submitter carries it to the chain behind every input created before it.
//
// Checks made here so that a disclosure the dApp would refuse, or one that would miss
// readings, costs no gas and publishes no key: the period must be over on the gateway's
// clock (readings of it may still arrive otherwise, and they would be sealed under a key
// already public); the gateway must hold readings of it; none of them may still wait for
// an input (inputs reach the chain in creation order, so the disclosure would overtake
// them); and the period must not be disclosed or being disclosed already (the dApp
// accepts one disclosure per device and period; a rejected one may be asked again).
//
// From the moment a request passes that last check, the period is closed to readings
// (ingest asks `closed`, synchronously, before it hands a reading to the group commit),
// and the request waits for the group commit to write what it already holds before it
// counts the queued readings: so no reading of the period is sealed once its key may be
// public, and every reading of it is in an input created before the disclosure's.

import { DISCLOSURE_PERIOD_SECONDS, encodeKeyDisclosure } from "@lcore/dapp/protocol";
import type { DeviceRegistry } from "./deviceRegistry.js";
import { GatewayError } from "./errors.js";
import { toHex } from "./hex.js";
import type { DisclosureState } from "./outbox/disclosureStore.js";
import type { Outbox } from "./outbox/outbox.js";
import type { Sealer } from "./sealer.js";
import { type Progress, progressOf } from "./status.js";

/** Seconds a client should wait when readings of the period are still queued (about one batcher delay). */
const QUEUED_RETRY_SECONDS = 2;

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
  const outcome = input.nodeStatus === null ? null : input.nodeStatus === "ACCEPTED" && d.result !== null ? "accepted" : "rejected";
  const reason = outcome !== "rejected" ? null
    : input.reason ?? (input.nodeStatus === "ACCEPTED" ? "no_disclosure_notice" : input.nodeStatus!.toLowerCase());
  return progressOf({
    inputId: input.id, txHash: input.txHash, sentTxHash: input.sentTxHash, blockNumber: input.blockNumber, inputIndex: input.inputIndex,
    nodeStatus: input.nodeStatus, outcome, reason, noticeIndex: d.result?.noticeIndex ?? null,
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
    if (registry.get(hex) === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: hex } });
    const from = BigInt(req.period) * DISCLOSURE_PERIOD_SECONDS;
    const end = from + DISCLOSURE_PERIOD_SECONDS;
    if (BigInt(Math.floor(nowMs / 1000)) < end) {
      throw new GatewayError("LCORE_GW_PERIOD_NOT_OVER", `period ${req.period} ends at ${end} s (unix), the gateway's clock is earlier`);
    }
    const key = `${hex}:${req.period}`;
    const earlier = outbox.disclosures.ofPeriod(req.device, req.period)
      .find((d) => disclosureProgress(d).status !== "rejected");
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
        throw new GatewayError("LCORE_GW_DISCLOSURE_READINGS_QUEUED", `${readings.queued} readings of the period wait for an input`, {
          retryAfter: QUEUED_RETRY_SECONDS,
        });
      }
      const periodKey = sealer.disclosureKey(req.device, req.period);
      const payload = encodeKeyDisclosure({ device: req.device, period: req.period, periodKey, voucher: req.voucher });
      periodKey.fill(0);
      const input = outbox.inputs.create("disclosure", payload, nowMs);
      await outbox.write([
        input.statement,
        outbox.disclosures.insertStatement({ inputId: input.id, device: req.device, period: req.period, voucher: req.voucher, requestedMs: nowMs }),
      ]);
      return input.id;
    } finally {
      this.#writing.delete(key);
    }
  }
}
