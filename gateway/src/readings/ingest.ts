// The ingest path of POST /v1/readings (and /batch, and the MVP data route): check,
// verify, seal, store, and only then answer.
//
// Order of checks, cheapest and least revealing first: the numbers' ranges, the device
// exists and the chain has not refused it (devices/deviceMarks.ts: a rejected
// registration or a revocation is public on chain, so saying so reveals nothing, and a
// revoked key proves nothing), the signature (nothing about the device's sequence is
// revealed to an unsigned request), its rate limit (after the signature, so forged
// readings naming a device cannot spend the real device's budget), the seq, the
// timestamp, its period not disclosed (PROTOCOL §10); then the body is sealed and the
// outbox capacity checked.
//
// An exact copy of a reading that another request is storing right now waits for that
// request and then answers LCORE_GW_READING_DUPLICATE with the receipt, as a copy of a
// stored one does; if the first request failed, the copy is checked again from scratch. A request is
// all-or-nothing: one bad reading in a batch refuses the batch (the error names its
// index) and stores none of it.

import { U63_LIMIT } from "@lcore/protocol/bytes";
import { encodeReadingBody, periodOf, readingMessage } from "@lcore/protocol/deviceMessage";
import { sha256 } from "@lcore/wasm-core";
import type { DeviceRegistry, DeviceState } from "../devices/deviceRegistry.js";
import type { Disclosures } from "../disclosures/disclosures.js";
import { GatewayError, type GatewayErrorCode } from "../http/errors.js";
import { equalBytes, fromHex } from "@lcore/protocol/bytes";
import { I64_MAX, I64_MIN, U64_MAX } from "../util/integers.js";
import type { DeviceReading, Receipt } from "../http/schemas.js";
import type { GatewayLimits } from "../limits.js";
import type { GatewayMetrics } from "../metrics.js";
import type { Outbox } from "../outbox/outbox.js";
import type { ReadingRow, SealedReading } from "../outbox/readingStore.js";
import type { RateLimiter } from "../util/rateLimit.js";
import type { Sealer } from "./sealer.js";
import type { SignatureVerifier } from "../devices/signature.js";
import { receiptOf } from "./status.js";

export interface IngestDeps {
  registry: DeviceRegistry;
  verifier: SignatureVerifier;
  sealer: Sealer;
  outbox: Outbox;
  rateLimiter: RateLimiter;
  metrics: GatewayMetrics;
  limits: GatewayLimits;
  nowMs: () => number;
  disclosures: Disclosures;
}

/** A copy of a reading whose first request is still being written: wait for it, then check again. */
class InFlightCopy {
  constructor(readonly written: Promise<void>) {}
}

/** Times a request re-checks after waiting for in-flight copies (each wait ends one write). */
const IN_FLIGHT_RECHECKS = 3;

interface Checked {
  state: DeviceState;
  reading: SealedReading;
}

function integer(v: number | string, name: string, min: bigint, max: bigint): bigint {
  const n = BigInt(v);
  if (n < min || n > max) throw new GatewayError("LCORE_GW_NUMBER_OUT_OF_RANGE", `${name} must be in ${min}..${max}`);
  return n;
}

/** A device the chain refuses (devices/deviceMarks.ts): 409 with the dApp's reason. */
function refuseMarked(state: DeviceState): never {
  const { status, reason } = state.chainMark!;
  const details = { device: state.hex, chainStatus: status, reason };
  if (status === "revoked") throw new GatewayError("LCORE_GW_DEVICE_REVOKED", undefined, { details });
  throw new GatewayError(
    "LCORE_GW_DEVICE_REGISTRATION_REJECTED",
    `the dApp rejected the device's registration: ${reason}`,
    { details },
  );
}

/** Pass 1 of the checks: the reading's numbers in range, its device known, of lcore's format and not refused by the chain. */
function parseReading(registry: DeviceRegistry, r: DeviceReading) {
  const seq = integer(r.seq, "seq", 0n, U64_MAX);
  if (seq >= U63_LIMIT)
    throw new GatewayError("LCORE_GW_NUMBER_OUT_OF_RANGE", "seq must be below 2^63 (the dApp skips larger ones)");
  const timestamp = integer(r.timestamp, "timestamp", 0n, U64_MAX);
  const value = integer(r.value, "value", I64_MIN, I64_MAX);
  const state = registry.get(r.device.toLowerCase());
  if (state === undefined)
    throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: r.device } });
  if (state.chainMark !== null) refuseMarked(state);
  // An ioID-SDK or JWS device signs another digest (PROTOCOL §12): its own route takes its readings.
  if (state.format !== 0) throw new GatewayError("LCORE_GW_DEVICE_FORMAT");
  return { r, seq, timestamp, value, state };
}

export class Ingest {
  readonly #d: IngestDeps;
  #closing = false;
  /** Readings being written, by `${device hex}:${seq}`: what a concurrent exact copy waits for. */
  readonly #writing = new Map<string, { digest: Uint8Array; signature: Uint8Array; written: Promise<void> }>();

  constructor(deps: IngestDeps) {
    this.#d = deps;
  }

  /** After this, every request is refused with LCORE_GW_SHUTTING_DOWN; nothing half-written remains. */
  close(): void {
    this.#closing = true;
  }

  async acceptOne(reading: DeviceReading): Promise<Receipt> {
    const [receipt] = await this.accept([reading]);
    return receipt!;
  }

  /**
   * Stores all of `readings` (committed, fsynced) and returns their receipts, or throws and stores none.
   * `rateLimit: false` is for the owner's migration route only (MVP history arrives in bulk).
   */
  async accept(readings: DeviceReading[], opts: { rateLimit?: boolean } = {}): Promise<Receipt[]> {
    try {
      if (this.#closing) throw new GatewayError("LCORE_GW_SHUTTING_DOWN");
      let checked: Checked[] | undefined;
      for (let attempt = 0; checked === undefined; attempt++) {
        try {
          checked = this.#check(readings, opts.rateLimit !== false);
        } catch (error) {
          if (!(error instanceof InFlightCopy) || attempt === IN_FLIGHT_RECHECKS) throw error;
          await error.written;
        }
      }
      await this.#store(checked);
      this.#d.metrics.readingsAccepted.inc(checked.length);
      return checked.map((c) => receiptOf(c.reading, "queued"));
    } catch (error) {
      const code: GatewayErrorCode = error instanceof GatewayError ? error.code : "LCORE_GW_INTERNAL";
      this.#d.metrics.readingsRejected.inc({ code }, readings.length);
      throw error;
    }
  }

  #check(readings: DeviceReading[], rateLimited: boolean): Checked[] {
    const { registry, limits, rateLimiter } = this.#d;
    const now = this.#d.nowMs();
    const at = <T>(index: number, f: () => T): T => {
      try {
        return f();
      } catch (error) {
        if (error instanceof GatewayError && readings.length > 1) {
          throw new GatewayError(error.code, `readings[${index}]: ${error.message}`, {
            details: { index, ...error.details },
            ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
          });
        }
        throw error;
      }
    };

    // Pass 1: ranges and devices.
    const parsed = readings.map((r, i) => at(i, () => parseReading(registry, r)));
    const perDevice = new Map<DeviceState, number>();
    const firstIndex = new Map<DeviceState, number>();
    parsed.forEach((p, i) => {
      perDevice.set(p.state, (perDevice.get(p.state) ?? 0) + 1);
      if (!firstIndex.has(p.state)) firstIndex.set(p.state, i);
    });
    // Pass 2: signatures.
    const signed = parsed.map((p, i) =>
      at(i, () => {
        const { r, seq, timestamp, value, state } = p;
        const body = encodeReadingBody({ nonce: fromHex(r.nonce), value, payload: fromHex(r.payload ?? "0x") });
        const bodyHash = sha256(body);
        const message = readingMessage({ device: state.address, seq, timestamp, bodyHash });
        const digest = sha256(message);
        const signature = fromHex(r.signature);
        const check = this.#d.verifier.verify(state.key, digest, signature, message);
        if (check === "high-s") throw new GatewayError("LCORE_GW_SIGNATURE_HIGH_S");
        if (check !== "ok") throw new GatewayError("LCORE_GW_SIGNATURE_INVALID");
        return { seq, timestamp, state, body, bodyHash, digest, signature };
      }),
    );

    // Pass 3: one rate-limit draw per device for all its (genuinely signed) readings.
    for (const [state, count] of rateLimited ? perDevice : []) {
      const take = rateLimiter.take(state.hex, count, now);
      if (!take.ok) {
        at(firstIndex.get(state) ?? 0, () => {
          throw new GatewayError("LCORE_GW_RATE_LIMITED", undefined, { retryAfter: take.retryAfterSeconds });
        });
      }
    }

    // Pass 4: seq, timestamp, disclosure. Pass 5, once every reading passed: seal.
    const lastSeq = new Map<DeviceState, bigint | null>();
    const verified = signed.map((p, i) =>
      at(i, () => {
        const { seq, timestamp, state, body, bodyHash, digest, signature } = p;
        const last = lastSeq.has(state) ? lastSeq.get(state)! : state.lastSeq;
        if (last !== null && seq <= last) this.#refuseOldSeq(state, seq, digest, signature, last);
        lastSeq.set(state, seq);

        if (timestamp > BigInt(Math.floor(now / 1000) + limits.futureSkewSeconds)) {
          throw new GatewayError(
            "LCORE_GW_TIMESTAMP_IN_FUTURE",
            `timestamp is more than ${limits.futureSkewSeconds} s ahead of the gateway's clock`,
          );
        }
        // The key of a disclosed period is public (PROTOCOL §10): a record sealed under it now would be readable by anyone.
        if (this.#d.disclosures.closed(state.address, periodOf(timestamp)))
          throw new GatewayError("LCORE_GW_PERIOD_DISCLOSED");
        return { state, seq, timestamp, body, bodyHash, digest, signature };
      }),
    );
    const checked = verified.map(({ state, seq, timestamp, body, bodyHash, digest, signature }): Checked => {
      const sealed = this.#d.sealer.seal({ device: state.address, seq, timestamp, digest, body });
      body.fill(0);
      return {
        state,
        reading: { device: state.address, seq, timestamp, bodyHash, digest, signature, sealed, receivedMs: now },
      };
    });

    const { outbox } = this.#d;
    if (outbox.queued + outbox.appending + checked.length > limits.outboxQueuedReadings) {
      throw new GatewayError("LCORE_GW_OUTBOX_FULL", undefined, { retryAfter: 5 });
    }
    return checked;
  }

  #refuseOldSeq(state: DeviceState, seq: bigint, digest: Uint8Array, signature: Uint8Array, last: bigint): never {
    const stored: ReadingRow | undefined = this.#d.outbox.readings.get(state.address, seq);
    if (stored !== undefined && equalBytes(stored.digest, digest) && equalBytes(stored.signature, signature)) {
      // A device retrying after a lost answer: tell it the reading is safe, and where.
      throw new GatewayError("LCORE_GW_READING_DUPLICATE", undefined, { details: { receipt: receiptOf(stored) } });
    }
    const writing = this.#writing.get(`${state.hex}:${seq}`);
    if (writing !== undefined && equalBytes(writing.digest, digest) && equalBytes(writing.signature, signature)) {
      throw new InFlightCopy(writing.written);
    }
    throw new GatewayError("LCORE_GW_SEQ_STALE", `seq ${seq} is not above the device's last accepted seq ${last}`, {
      details: { lastSeq: last.toString() },
    });
  }

  async #store(checked: Checked[]): Promise<void> {
    // Advance the in-memory seqs before awaiting, so a concurrent request with the same
    // seq is refused instead of racing this one into the UNIQUE constraint.
    const touched = new Set<DeviceState>();
    for (const c of checked) {
      c.state.lastSeq = c.reading.seq;
      touched.add(c.state);
    }
    const appended = this.#d.outbox.append(checked.map((c) => c.reading));
    const written = appended.then(
      () => undefined,
      () => undefined,
    );
    const keys = checked.map((c) => `${c.state.hex}:${c.reading.seq}`);
    for (const [i, c] of checked.entries())
      this.#writing.set(keys[i]!, { digest: c.reading.digest, signature: c.reading.signature, written });
    try {
      await appended;
    } catch (error) {
      // The database is the authority: take each touched device's last seq back from it.
      for (const state of touched) state.lastSeq = this.#d.outbox.devices.get(state.address)?.lastSeq ?? null;
      if (this.#closing) throw new GatewayError("LCORE_GW_SHUTTING_DOWN", undefined, { cause: error });
      throw new GatewayError("LCORE_GW_STORAGE_FAILED", undefined, { cause: error });
    } finally {
      for (const key of keys) this.#writing.delete(key);
    }
  }
}
