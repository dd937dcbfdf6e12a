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
//
// The chain can take an input back (chain/inclusionWatch.ts), so a verdict is only written for
// the inclusion it was read for: the node's input at that index must carry the gateway's sender
// and payload (else the watch is asked to re-check the input, and nothing is written), and the
// write expects the input still at that index. The same input may also land twice (an abandoned
// transaction the chain mined after all): the dApp skips the second copy's records
// seq_not_increasing. That is no failure of the reading: a record skipped so whose exact bytes
// (record hash) the dApp accepted earlier — the settlement follower's record list says so — is
// accepted, with the notice that listed it.

import { deviceAddress } from "@lcore/protocol/deviceMessage";
import { decodeInput } from "@lcore/protocol/input";
import { decodeNotice } from "@lcore/protocol/notices";
import type { SkipReason } from "@lcore/protocol/reasons";
import { parseReport } from "@lcore/protocol/reports";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import type { GatewayContext } from "../context.js";
import { equalBytes, fromHex, toHex } from "@lcore/protocol/bytes";
import type { InputState } from "../outbox/inputStore.js";
import type { PackedReading } from "../outbox/readingStore.js";
import { type Marking, writeWithMarks } from "../devices/deviceMarks.js";
import { disclosureStatements } from "../disclosures/disclosureVerdict.js";
import { OutboxConflictError } from "../outbox/writer.js";
import { failpoint } from "./failpoints.js";
import type { NodeInput, NodeReader } from "./nodeReader.js";

/** Inputs looked up per pass. */
const INPUTS_PER_PASS = 50;
/** How long a batch whose records were skipped seq_not_increasing waits for the settlement follower to list their earlier acceptance. */
const DUPLICATE_WAIT_MS = 60_000;

/** Where the dApp accepted a record with these exact bytes earlier: its notice index; null if it did not. */
export type EarlierAcceptance = (device: Uint8Array, seq: bigint, recordHash: Uint8Array) => number | null;

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

/**
 * The verdict on each reading of a batch. With `earlier`, a record the dApp skipped
 * seq_not_increasing that it accepted before (the same bytes, in an earlier copy of the input)
 * is accepted, with that notice; `pending` lists the records skipped so with no earlier
 * acceptance known (yet).
 */
export function verdicts(
  readings: PackedReading[],
  node: NodeInput,
  earlier?: EarlierAcceptance,
): Verdict[] & { pending?: number } {
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
  let pending = 0;
  const out: Verdict[] & { pending?: number } = readings.map((r): Verdict => {
    const position = r.position;
    const entry = listed.get(`${toHex(r.device)}:${r.seq}`);
    if (entry !== undefined) {
      if (equalBytes(wireHash(r), entry.hash))
        return { position, outcome: "accepted", reason: null, noticeIndex: entry.notice };
      return { position, outcome: "rejected", reason: "record_hash_mismatch", noticeIndex: entry.notice };
    }
    const reason =
      skipped.get(position) ?? rejected ?? (node.status === "ACCEPTED" ? "not_in_notice" : node.status.toLowerCase());
    if (reason === "seq_not_increasing" && earlier !== undefined) {
      const notice = earlier(r.device, r.seq, wireHash(r));
      if (notice !== null) return { position, outcome: "accepted", reason: null, noticeIndex: notice };
      pending++;
    }
    return { position, outcome: "rejected", reason, noticeIndex: null };
  });
  if (pending > 0) out.pending = pending;
  return out;
}

/** keccak256 of the record bytes the gateway sent for the reading. */
function wireHash(r: PackedReading): Uint8Array {
  return recordHash(
    encodeRecord({
      device: r.device,
      seq: r.seq,
      timestamp: r.timestamp,
      bodyHash: r.bodyHash,
      signature: r.signature,
      sealed: r.sealed,
    }),
  );
}

/** Whether the node's input is the one the gateway sent (when the node says what it holds). */
export function isOurs(payload: Uint8Array, node: NodeInput, sender: string): boolean {
  if (node.payload !== undefined && node.payload.toLowerCase() !== toHex(payload)) return false;
  if (node.sender !== undefined && node.sender.toLowerCase() !== sender.toLowerCase()) return false;
  return true;
}

export interface FollowerHooks {
  /** The node's input at this input's recorded index is not the gateway's: re-check its inclusion. */
  foreign?: (inputId: number) => void;
  /** Where the dApp accepted a record earlier (settlement follower's list); unset: no such lookup. */
  earlier?: EarlierAcceptance;
  /** How long a batch waits for `earlier` to know of records skipped seq_not_increasing. Default 60 s. */
  duplicateWaitMs?: number;
}

export class Follower {
  readonly #ctx: GatewayContext;
  readonly #reader: NodeReader;
  readonly #hooks: FollowerHooks;
  /** Per input: since when its batch waits for an earlier acceptance of records skipped seq_not_increasing. */
  readonly #waiting = new Map<number, number>();

  constructor(ctx: GatewayContext, reader: NodeReader, hooks: FollowerHooks = {}) {
    this.#ctx = ctx;
    this.#reader = reader;
    this.#hooks = hooks;
  }

  /** Records the verdicts the node has; returns how many inputs were settled this pass. */
  async step(): Promise<number> {
    let done = 0;
    const unprocessed = this.#ctx.outbox.inputs.unprocessed(INPUTS_PER_PASS);
    if (unprocessed.length === 0) return 0;
    // One small call says how far the machine got: asking for an input it has not processed
    // yet would move its whole payload (up to 64 KiB, twice in JSON) on every poll while a slow
    // machine works on it, which costs the node and this gateway for nothing.
    const processed = await this.#reader.processedInputCount?.();
    for (const input of unprocessed) {
      if (processed !== undefined && input.inputIndex! >= processed) break;
      const node = await this.#reader.input(input.inputIndex!);
      // Inputs are processed in order: if this one is not, neither are the ones after it.
      if (node === null || node.status === "NONE") break;
      const payload = this.#ctx.outbox.inputs.payloadOf(input.id)!;
      if (!isOurs(payload, node, this.#ctx.owner)) {
        // The node's input at that index is another: the chain moved ours, or the node follows another fork.
        this.#hooks.foreign?.(input.id);
        continue;
      }
      if (await this.#apply(input, payload, node)) done++;
    }
    if (done > 0) this.#ctx.health.progressed("verdict");
    return done;
  }

  /** Writes the verdict; false when it must wait (or the input moved meanwhile). */
  async #apply(input: InputState, payload: Uint8Array, node: NodeInput): Promise<boolean> {
    const { outbox, metrics } = this.#ctx;
    const { rejected } = parseReports(node);
    const reason = node.status === "ACCEPTED" ? null : (rejected ?? node.status.toLowerCase());
    const list = input.kind === "records" ? verdicts(outbox.readings.ofInput(input.id), node, this.#hooks.earlier) : [];
    if (list.pending !== undefined && this.#wait(input.id)) return false;
    this.#waiting.delete(input.id);
    try {
      await writeWithMarks(
        this.#ctx,
        [
          ...list.map((v) =>
            outbox.readings.outcomeStatement(input.id, v.position, v.outcome, v.reason, v.noticeIndex),
          ),
          ...disclosureStatements(outbox, input, node),
          outbox.inputs.processedStatement(input.id, input.inputIndex!, node.status, reason, Date.now()),
        ],
        reason === null ? [] : this.#rejectedRegistration(input, payload, reason),
      );
    } catch (error) {
      if (error instanceof OutboxConflictError) return false; // the watch moved the input meanwhile
      throw error;
    }
    for (const v of list) metrics.readingOutcomes.inc({ outcome: v.outcome, reason: v.reason ?? "" });
    failpoint("verdict-recorded");
    return true;
  }

  /** True while records skipped seq_not_increasing may still be found accepted earlier. */
  #wait(inputId: number): boolean {
    const since = this.#waiting.get(inputId) ?? Date.now();
    this.#waiting.set(inputId, since);
    return Date.now() - since < (this.#hooks.duplicateWaitMs ?? DUPLICATE_WAIT_MS);
  }

  /** The device a rejected registration input was for, to be marked with the dApp's reason. */
  #rejectedRegistration(input: InputState, payload: Uint8Array, reason: string): Marking[] {
    if (input.kind !== "registration") return [];
    const decoded = decodeInput(payload);
    if (decoded.kind !== "device_registration") return [];
    const state = this.#ctx.registry.get(toHex(deviceAddress(decoded.publicKey)));
    return state === undefined ? [] : [{ state, mark: { status: "registration_rejected", reason } }];
  }
}
