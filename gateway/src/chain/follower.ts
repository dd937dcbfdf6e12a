// Reads the dApp's verdict on each mined input from the node and records it per reading.
//
// For a record batch the dApp publishes one records-accepted notice listing
// (device, seq, recordHash) of every record it stored, and one "skipped" report giving
// the index and reason of each record it did not; if it stored none, it rejects the
// whole input with a "rejected" report (reason no_record_accepted, the skips still
// reported). A reading is accepted only if the notice lists its device and seq with the
// Keccak-256 of exactly the record bytes the gateway sent.
//
// For a registration the dApp did not accept (device_exists: the address was registered
// first by someone else; bad_device_proof, …) the device is marked registration_rejected
// with the dApp's reason, in the same transaction as the verdict (devices/deviceMarks.ts).

import { deviceAddress } from "@lcore/protocol/deviceMessage";
import { decodeInput } from "@lcore/protocol/input";
import { decodeNotice } from "@lcore/protocol/notices";
import type { SkipReason } from "@lcore/protocol/reasons";
import { parseReport } from "@lcore/protocol/reports";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import type { GatewayContext } from "../context.js";
import { equalBytes, fromHex, toHex } from "@lcore/protocol/bytes";
import type { InputRow } from "../outbox/inputStore.js";
import type { ReadingRow } from "../outbox/readingStore.js";
import { type Marking, writeWithMarks } from "../devices/deviceMarks.js";
import { disclosureStatements } from "../disclosures/disclosureVerdict.js";
import { failpoint } from "./failpoints.js";
import type { NodeInput, NodeReader } from "./nodeReader.js";

/** Inputs looked up per pass. */
const INPUTS_PER_PASS = 50;

interface Verdict {
  position: number;
  outcome: "accepted" | "rejected";
  reason: string | null;
  noticeIndex: number | null;
}

function parseReports(node: NodeInput): { rejected: string | null; skipped: Map<number, SkipReason> } {
  let rejected: string | null = null;
  const skipped = new Map<number, SkipReason>();
  for (const r of node.reports) {
    const report = parseReport(fromHex(r.payload));
    if (report?.type === "rejected") rejected = report.reason;
    if (report?.type === "skipped") for (const s of report.records) skipped.set(s.index, s.reason);
  }
  return { rejected, skipped };
}

export function verdicts(readings: ReadingRow[], node: NodeInput): Verdict[] {
  const { rejected, skipped } = parseReports(node);
  const listed = new Map<string, { hash: Uint8Array; notice: number }>();
  if (node.status === "ACCEPTED") {
    for (const n of node.notices) {
      const notice = decodeNotice(fromHex(n.payload));
      if (notice.kind !== "records_accepted") continue;
      for (const e of notice.records) {
        listed.set(`${toHex(e.device)}:${e.seq}`, { hash: e.recordHash, notice: n.index });
      }
    }
  }
  return readings.map((r) => {
    const position = r.position!;
    const entry = listed.get(`${toHex(r.device)}:${r.seq}`);
    if (entry !== undefined) {
      const mine = recordHash(
        encodeRecord({
          device: r.device,
          seq: r.seq,
          timestamp: r.timestamp,
          bodyHash: r.bodyHash,
          signature: r.signature,
          sealed: r.sealed,
        }),
      );
      if (equalBytes(mine, entry.hash))
        return { position, outcome: "accepted", reason: null, noticeIndex: entry.notice };
      return { position, outcome: "rejected", reason: "record_hash_mismatch", noticeIndex: entry.notice };
    }
    const reason =
      skipped.get(position) ?? rejected ?? (node.status === "ACCEPTED" ? "not_in_notice" : node.status.toLowerCase());
    return { position, outcome: "rejected", reason, noticeIndex: null };
  });
}

export class Follower {
  readonly #ctx: GatewayContext;
  readonly #reader: NodeReader;

  constructor(ctx: GatewayContext, reader: NodeReader) {
    this.#ctx = ctx;
    this.#reader = reader;
  }

  /** Records the verdicts the node has; returns how many inputs were settled this pass. */
  async step(): Promise<number> {
    let done = 0;
    for (const input of this.#ctx.outbox.inputs.unprocessed(INPUTS_PER_PASS)) {
      const node = await this.#reader.input(input.inputIndex!);
      // Inputs are processed in order: if this one is not, neither are the ones after it.
      if (node === null || node.status === "NONE") break;
      await this.#apply(input, node);
      done++;
    }
    return done;
  }

  async #apply(input: InputRow, node: NodeInput): Promise<void> {
    const { outbox, metrics } = this.#ctx;
    const { rejected } = parseReports(node);
    const reason = node.status === "ACCEPTED" ? null : (rejected ?? node.status.toLowerCase());
    const list = input.kind === "records" ? verdicts(outbox.readings.ofInput(input.id), node) : [];
    await writeWithMarks(
      this.#ctx,
      [
        ...list.map((v) => outbox.readings.outcomeStatement(input.id, v.position, v.outcome, v.reason, v.noticeIndex)),
        ...disclosureStatements(outbox, input, node),
        outbox.inputs.processedStatement(input.id, node.status, reason, Date.now()),
      ],
      reason === null ? [] : this.#rejectedRegistration(input, reason),
    );
    for (const v of list) metrics.readingOutcomes.inc({ outcome: v.outcome, reason: v.reason ?? "" });
    failpoint("verdict-recorded");
  }

  /** The device a rejected registration input was for, to be marked with the dApp's reason. */
  #rejectedRegistration(input: InputRow, reason: string): Marking[] {
    if (input.kind !== "registration") return [];
    const decoded = decodeInput(input.payload);
    if (decoded.kind !== "device_registration") return [];
    const state = this.#ctx.registry.get(toHex(deviceAddress(decoded.publicKey)));
    return state === undefined ? [] : [{ state, mark: { status: "registration_rejected", reason } }];
  }
}
