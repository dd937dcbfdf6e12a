// The ingest path of a format device's reading (PROTOCOL §12): the route has verified the
// signature over the digest the device signed; this checks the rest as readings/ingest.ts
// does for lcore readings — the chain has not refused the device, the rate limit, the seq
// (the device's time, strictly increasing: replay protection from what the device signed),
// the clock skew, the period not disclosed — seals the exact signed bytes and commits them
// before it answers. A reading sent again (same time, same digest and signature) answers
// LCORE_GW_READING_DUPLICATE with its receipt, as a lost answer's retry must.

import { periodOf } from "@lcore/protocol/deviceMessage";
import { MAX_FORMAT_BODY, MIN_FORMAT_BODY } from "@lcore/protocol/deviceFormats";
import { equalBytes } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import type { DeviceState } from "../devices/deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import type { Receipt } from "../http/schemas.js";
import type { SealedReading } from "../outbox/readingStore.js";
import { receiptOf } from "../readings/status.js";
import { type RateLimiter, createRateLimiter } from "../util/rateLimit.js";

export interface FormatReadingIn {
  state: DeviceState;
  /** Device time, seconds: the record's seq and timestamp. */
  time: bigint;
  digest: Uint8Array;
  /** Low-s r || s. */
  signature: Uint8Array;
  /** The exact signed bytes. */
  body: Uint8Array;
}

const limiters = new WeakMap<GatewayContext, RateLimiter>();

export async function ingestFormatReading(ctx: GatewayContext, r: FormatReadingIn): Promise<Receipt> {
  const { state, time, digest, signature, body } = r;
  const now = ctx.nowMs();
  if (state.chainMark !== null) {
    const { status, reason } = state.chainMark;
    throw new GatewayError(
      status === "revoked" ? "LCORE_GW_DEVICE_REVOKED" : "LCORE_GW_DEVICE_REGISTRATION_REJECTED",
      undefined,
      { details: { device: state.hex, chainStatus: status, reason } },
    );
  }
  if (body.length < MIN_FORMAT_BODY || body.length > MAX_FORMAT_BODY)
    throw new GatewayError(
      "LCORE_GW_FORMAT_INVALID",
      `the signed bytes must be ${MIN_FORMAT_BODY}..${MAX_FORMAT_BODY}`,
    );
  let limiter = limiters.get(ctx);
  if (limiter === undefined) {
    limiter = createRateLimiter(ctx.limits.deviceRatePerSecond, ctx.limits.deviceRateBurst);
    limiters.set(ctx, limiter);
  }
  const take = limiter.take(state.hex, 1, now);
  if (!take.ok) throw new GatewayError("LCORE_GW_RATE_LIMITED", undefined, { retryAfter: take.retryAfterSeconds });
  if (time >= 1n << 63n) throw new GatewayError("LCORE_GW_NUMBER_OUT_OF_RANGE", "the device time must be below 2^63");
  if (state.lastSeq !== null && time <= state.lastSeq) {
    const stored = ctx.outbox.readings.get(state.address, time);
    if (stored !== undefined && equalBytes(stored.digest, digest) && equalBytes(stored.signature, signature))
      throw new GatewayError("LCORE_GW_READING_DUPLICATE", undefined, { details: { receipt: receiptOf(stored) } });
    throw new GatewayError(
      "LCORE_GW_SEQ_STALE",
      `time ${time} is not after the device's last reading ${state.lastSeq}`,
      {
        details: { lastSeq: state.lastSeq.toString() },
      },
    );
  }
  if (time > BigInt(Math.floor(now / 1000) + ctx.limits.futureSkewSeconds))
    throw new GatewayError("LCORE_GW_TIMESTAMP_IN_FUTURE");
  if (ctx.disclosures.closed(state.address, periodOf(time))) throw new GatewayError("LCORE_GW_PERIOD_DISCLOSED");
  const { outbox } = ctx;
  if (outbox.queued + outbox.appending + 1 > ctx.limits.outboxQueuedReadings)
    throw new GatewayError("LCORE_GW_OUTBOX_FULL", undefined, { retryAfter: 5 });

  const sealed = ctx.sealer.seal({ device: state.address, seq: time, timestamp: time, digest, body });
  // The record's bodyHash field carries the signed digest (PROTOCOL §12.1).
  const reading: SealedReading = {
    device: state.address,
    seq: time,
    timestamp: time,
    bodyHash: digest,
    digest,
    signature,
    sealed,
    receivedMs: now,
  };
  const previous = state.lastSeq;
  state.lastSeq = time; // before awaiting: a concurrent request with the same time is refused
  try {
    await outbox.append([reading]);
  } catch (error) {
    state.lastSeq = previous;
    throw new GatewayError("LCORE_GW_STORAGE_FAILED", undefined, { cause: error });
  }
  ctx.metrics.readingsAccepted.inc(1);
  return receiptOf(reading, "queued");
}
