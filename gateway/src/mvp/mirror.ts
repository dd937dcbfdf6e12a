// Dual mode: forwards every reading committed to the outbox to a legacy lcore MVP node
// (`POST <url>/device/data {device_id, data}`), records the legacy node's answer per
// reading, and compares it with the dApp's verdict once the follower has it.
//
// Asynchronous and durable: the readings table is the queue (outbox/mirrorStore.ts), so
// the ingest path and its 202 never wait for, or fail because of, the legacy node, and a
// restart resumes where the cursor stopped. At-least-once: a crash between the legacy
// node's answer and the commit of that answer sends the reading again.
//
// Answers: 2xx accepted; 4xx refused (a verdict, final), except 408 and 429; network
// errors, timeouts, 408, 429, 502, 503 and 504 mean the node is unavailable: nothing is
// recorded for the reading and the whole loop backs off (doubling, capped), so an outage
// loses nothing. Any other answer is a failure on this reading: retried with backoff,
// given up as `failed` after maxAttempts. Over the pending bound the oldest unsent
// readings are given up as `skipped`.
//
// Mapping (gateway/README.md, "Migration"): a custodial (MVP-route) device's reading goes
// as its MVP device_id with its original data (the payload, which is the JSON text of
// that data); a signing device's reading as device_id = its 0x address and data = value
// / 1000, the inverse of the MVP route's value = round(data × 1000), as an exact decimal.
// The legacy node receives plaintext: it is the system being migrated from.

import { decodeReadingBody } from "@lcore/protocol/deviceMessage";
import type { GatewayContext } from "../context.js";
import { toHex } from "@lcore/protocol/bytes";
import type { MirrorOptions } from "../options.js";
import type { Comparison, DueReading, LegacyOutcome, MirrorTotal, Uncompared } from "../outbox/mirrorStore.js";
import type { Statement } from "../outbox/writer.js";
import { decodeProvenance } from "@lcore/protocol/mvpMigration";

export interface MirrorSettings {
  endpoint: string;
  timeoutMs: number;
  concurrency: number;
  maxAttempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Readings read per pass (sent `concurrency` at a time, committed in one transaction). */
  perPass: number;
  /** Verdict pairs compared per pass. */
  comparePerPass: number;
  /** Passes between two pages of the full walk (MirrorOptions.sweepPasses). */
  sweepPasses: number;
}

export function mirrorSettings(o: MirrorOptions): MirrorSettings {
  const sweepPasses = o.sweepPasses ?? 600;
  // 0 would never sweep (x % 0 is NaN): a late-processed reading would stay uncompared for good.
  if (!Number.isSafeInteger(sweepPasses) || sweepPasses < 1)
    throw new RangeError("mirror sweepPasses must be a positive integer");
  return {
    endpoint: `${o.url.replace(/\/+$/, "")}/device/data`,
    timeoutMs: o.timeoutMs ?? 5000,
    concurrency: o.concurrency ?? 4,
    maxAttempts: o.maxAttempts ?? 5,
    minBackoffMs: o.minBackoffMs ?? 500,
    maxBackoffMs: o.maxBackoffMs ?? 30_000,
    perPass: 64,
    comparePerPass: 500,
    sweepPasses,
  };
}

/** value / 1000 as an exact JSON number: 21500 → 21.5, -5 → -0.005. */
export function milliText(value: bigint): string {
  const negative = value < 0n;
  const a = negative ? -value : value;
  const fraction = (a % 1000n).toString().padStart(3, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${a / 1000n}${fraction === "" ? "" : `.${fraction}`}`;
}

/** The legacy request body for one reading: JSON text. */
export function legacyBody(
  device: { hex: string; mvpId: string | null },
  body: { value: bigint; payload: Uint8Array },
): string {
  if (device.mvpId !== null) {
    const text = new TextDecoder().decode(body.payload);
    try {
      JSON.parse(text);
      return `{"device_id":${JSON.stringify(device.mvpId)},"data":${text}}`;
    } catch {
      // A string `data` is stored as its bytes (PROTOCOL §12.7): text that is not JSON was a string.
      if (decodeProvenance(body.payload) === undefined)
        return `{"device_id":${JSON.stringify(device.mvpId)},"data":${JSON.stringify(text)}}`;
    }
  }
  return `{"device_id":${JSON.stringify(device.mvpId ?? device.hex)},"data":${milliText(body.value)}}`;
}

/** Processed inputs whose readings one pass compares. */
const INPUTS_PER_COMPARE = 16;

/** `history`: a migrated MVP row (its payload carries the row, PROTOCOL §7.7); the legacy node has it already. */
type Answer =
  | { kind: "status"; status: number }
  | { kind: "unavailable" }
  | { kind: "unmappable" }
  | { kind: "history" };

const UNAVAILABLE = new Set([408, 429, 502, 503, 504]);

export class Mirror {
  readonly #ctx: GatewayContext;
  readonly #s: MirrorSettings;
  /** Verdicts of inputs up to this input_index have been compared; undefined until the first full walk is done. */
  #comparedTo: number | undefined;
  /** Consecutive passes that found the legacy node unavailable, and no request before this. */
  #outages = 0;
  #notBeforeMs = 0;
  #passes = 0;

  constructor(ctx: GatewayContext, settings: MirrorSettings) {
    this.#ctx = ctx;
    this.#s = settings;
    // Prometheus counters continue from the outbox's totals.
    const t = ctx.outbox.mirror.totals();
    const m = ctx.metrics;
    m.mirrorSent.inc({ legacy: "accepted" }, t.accepted);
    m.mirrorSent.inc({ legacy: "refused" }, t.refused);
    m.mirrorFailed.inc(t.failed);
    m.mirrorSkipped.inc(t.skipped);
    m.mirrorHistory.inc(t.history);
    m.mirrorAgreements.inc({ outcome: "accepted" }, t.agree_accepted);
    m.mirrorAgreements.inc({ outcome: "rejected" }, t.agree_rejected);
    m.mirrorDivergences.inc({ kind: "cartesi_only" }, t.cartesi_only);
    m.mirrorDivergences.inc({ kind: "legacy_only" }, t.legacy_only);
  }

  /** The first start on an outbox sets the cursor: readings stored before it are not sent. */
  async start(): Promise<void> {
    await this.#ctx.outbox.write([this.#ctx.outbox.mirror.startStatement()]);
  }

  /** One pass: bound, send what is due, compare what both sides answered. Returns the work done. */
  async step(nowMs: number): Promise<number> {
    let done = await this.#bound(nowMs);
    const answered: number[] = [];
    if (nowMs >= this.#notBeforeMs) done += await this.#send(nowMs, answered);
    return done + (await this.#compare(answered));
  }

  #backoff(failures: number): number {
    return Math.min(this.#s.maxBackoffMs, this.#s.minBackoffMs * 2 ** Math.min(30, failures - 1));
  }

  async #bound(nowMs: number): Promise<number> {
    const { outbox, metrics, limits } = this.#ctx;
    if (outbox.mirror.span() <= limits.mirrorPendingReadings) return 0;
    const over = outbox.mirror.pending() - limits.mirrorPendingReadings;
    if (over <= 0) return 0;
    const last = outbox.mirror.nthPending(over - 1);
    if (last === undefined) return 0;
    await outbox.write([
      ...outbox.mirror.skipStatements(last, nowMs),
      outbox.mirror.totalStatement("skipped", over),
      outbox.mirror.advanceStatement(),
    ]);
    metrics.mirrorSkipped.inc(over);
    return over;
  }

  /** Sends what is due; pushes the ids of readings it got a final answer on to `answered`. */
  async #send(nowMs: number, answered: number[]): Promise<number> {
    const { outbox, metrics } = this.#ctx;
    const due = outbox.mirror.due(nowMs, this.#s.perPass);
    if (due.length === 0) return 0;
    // Unsent (undefined) once the node proved unavailable: a hanging node costs one timeout per worker, not per reading.
    const answers: (Answer | undefined)[] = new Array<Answer | undefined>(due.length);
    let next = 0;
    let unavailable = false;
    const worker = async () => {
      while (next < due.length && !unavailable) {
        const i = next++;
        const answer = await this.#post(due[i]!);
        answers[i] = answer;
        if (answer.kind === "unavailable") unavailable = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#s.concurrency, due.length) }, worker));

    const statements: Statement[] = [];
    const totals = new Map<MirrorTotal, number>();
    const count = (t: MirrorTotal) => totals.set(t, (totals.get(t) ?? 0) + 1);
    due.forEach((r, i) => {
      const a = answers[i];
      if (a === undefined || a.kind === "unavailable") return; // still pending, nothing recorded
      const status = a.kind === "status" ? a.status : null;
      let legacy: LegacyOutcome | null = null;
      if (status !== null && status >= 200 && status < 300) legacy = "accepted";
      else if (status !== null && status >= 400 && status < 500) legacy = "refused";
      const attempts = r.attempts + 1;
      if (a.kind === "history") legacy = "history";
      if (legacy === null && (a.kind === "unmappable" || attempts >= this.#s.maxAttempts)) legacy = "failed";
      if (legacy !== null) count(legacy);
      if (legacy === "accepted" || legacy === "refused") answered.push(r.id);
      statements.push(
        outbox.mirror.resultStatement({
          readingId: r.id,
          attempts,
          httpStatus: status,
          legacy,
          nowMs,
          nextMs: legacy === null ? nowMs + this.#backoff(attempts) : null,
        }),
      );
    });
    if (statements.length > 0) {
      for (const [t, n] of totals) statements.push(outbox.mirror.totalStatement(t, n));
      statements.push(outbox.mirror.advanceStatement());
      await outbox.write(statements);
      metrics.mirrorSent.inc({ legacy: "accepted" }, totals.get("accepted") ?? 0);
      metrics.mirrorSent.inc({ legacy: "refused" }, totals.get("refused") ?? 0);
      metrics.mirrorFailed.inc(totals.get("failed") ?? 0);
      metrics.mirrorHistory.inc(totals.get("history") ?? 0);
    }
    if (unavailable) {
      this.#outages++;
      this.#notBeforeMs = nowMs + this.#backoff(this.#outages);
      metrics.mirrorUnavailable.inc();
    } else {
      this.#outages = 0;
    }
    return statements.length;
  }

  async #post(r: DueReading): Promise<Answer> {
    const { registry, sealer } = this.#ctx;
    const device = registry.get(toHex(r.device));
    let text: string;
    try {
      const plain = sealer.open({
        device: r.device,
        seq: r.seq,
        timestamp: r.timestamp,
        digest: r.digest,
        sealed: r.sealed,
      });
      const body = decodeReadingBody(plain);
      plain.fill(0);
      // Only a custodial MVP device's reading can be history: a live MVP payload is JSON text, never "LMV1…".
      if (device?.mvpId != null && decodeProvenance(body.payload) !== undefined) return { kind: "history" };
      text = legacyBody({ hex: toHex(r.device), mvpId: device?.mvpId ?? null }, body);
    } catch {
      return { kind: "unmappable" };
    }
    try {
      const res = await fetch(this.#s.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text,
        signal: AbortSignal.timeout(this.#s.timeoutMs),
      });
      await res.arrayBuffer(); // drain, so the connection is reused
      return UNAVAILABLE.has(res.status) ? { kind: "unavailable" } : { kind: "status", status: res.status };
    } catch {
      return { kind: "unavailable" };
    }
  }

  /**
   * A reading becomes comparable when its second answer arrives: the legacy node's (the
   * readings in `answered`) or the dApp's (the readings of inputs the follower processed
   * since the last pass). Only those are looked at, so a long pause, with many readings
   * waiting for the dApp, costs nothing per pass. The first pass walks everything once
   * (answers recorded before a restart).
   */
  async #compare(answered: number[]): Promise<number> {
    const { outbox, metrics } = this.#ctx;
    const found = new Map<number, Uncompared>();
    const add = (u: Uncompared | undefined) => {
      if (u !== undefined) found.set(u.readingId, u);
    };
    const processed = outbox.mirror.lastProcessedInput();
    if (this.#comparedTo === undefined) {
      const page = outbox.mirror.uncompared(this.#s.comparePerPass);
      page.forEach(add);
      if (page.length < this.#s.comparePerPass) this.#comparedTo = processed;
    } else {
      if (processed > this.#comparedTo) {
        // At most INPUTS_PER_COMPARE inputs' readings (each ≤ 339) per pass.
        const to = Math.min(processed, this.#comparedTo + INPUTS_PER_COMPARE);
        outbox.mirror.uncomparedOfInputs(this.#comparedTo, to).forEach(add);
        this.#comparedTo = to;
      }
      for (const id of answered) add(outbox.mirror.uncomparedOne(id));
      // Every sweepPasses passes, one page of the full walk as well: the window by input index
      // misses an input processed after a later one (its inclusion was recorded late).
      if (++this.#passes % this.#s.sweepPasses === 0) outbox.mirror.uncompared(this.#s.comparePerPass).forEach(add);
    }
    const rows = [...found.values()];
    if (rows.length === 0) return 0;
    const totals = new Map<MirrorTotal, number>();
    const statements: Statement[] = rows.map((r) => {
      let total: MirrorTotal;
      let compared: Comparison;
      if (r.outcome === "accepted")
        [total, compared] = r.legacy === "accepted" ? ["agree_accepted", "agree"] : ["cartesi_only", "cartesi_only"];
      else [total, compared] = r.legacy === "refused" ? ["agree_rejected", "agree"] : ["legacy_only", "legacy_only"];
      totals.set(total, (totals.get(total) ?? 0) + 1);
      return outbox.mirror.compareStatement(r.readingId, compared);
    });
    for (const [t, n] of totals) statements.push(outbox.mirror.totalStatement(t, n));
    try {
      await outbox.write(statements);
    } catch (error) {
      this.#comparedTo = undefined; // walk everything again next pass: nothing is skipped
      throw error;
    }
    metrics.mirrorAgreements.inc({ outcome: "accepted" }, totals.get("agree_accepted") ?? 0);
    metrics.mirrorAgreements.inc({ outcome: "rejected" }, totals.get("agree_rejected") ?? 0);
    metrics.mirrorDivergences.inc({ kind: "cartesi_only" }, totals.get("cartesi_only") ?? 0);
    metrics.mirrorDivergences.inc({ kind: "legacy_only" }, totals.get("legacy_only") ?? 0);
    return rows.length;
  }
}
