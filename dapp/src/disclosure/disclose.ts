// Selective disclosure (PROTOCOL §10): the device's owner publishes the period key of
// one device and one disclosure period. The dApp opens every record of that device
// whose timestamp falls in the period, checks each body against its signed bodyHash,
// and publishes count, sum, min and max of the readings' `value` (notice 0x91) and,
// if asked, a LcoreSettlement.recordAggregate voucher. Any record that does not open,
// or whose body does not match, rejects the whole input — nothing changes — and the
// rejection report names that record (device, seq, recordHash). Since only the owner and
// the submitters it allows can have a record accepted (PROTOCOL §3.6), such a record came
// from an account the owner answers for.

import { keccak256, sha256 } from "@lcore/wasm-core";
import { DISCLOSURE_PERIOD_SECONDS, DISCLOSURE_WINDOW_DAYS } from "@lcore/protocol/bounds";
import { prunedCount } from "../settlement/prune.js";
import { ByteWriter, equalBytes, toHex } from "@lcore/protocol/bytes";
import { decodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import { type KeyDisclosure, encodeDisclosureNotice, int128Bytes } from "@lcore/protocol/disclosure";
import { openReading } from "@lcore/protocol/sealing";
import { SETTLEMENT_PERIOD_SECONDS, encodeRecordAggregateCall, settlementAddress } from "@lcore/protocol/settlement";
import { Rejection } from "../context/rejection.js";
import type { RejectReason } from "@lcore/protocol/reasons";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { requireOwner } from "../devices/authorize.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import { deviceByAddress } from "../devices/store.js";
import { type RecordRow, deviceRecordsInTime } from "../records/store.js";
import { lastSettledPeriod, openPeriod, putOpenPeriod } from "../settlement/store.js";
import { type Aggregate, hasDisclosure, insertDisclosure } from "./store.js";
import { type DeviceFormatRow, formatOf } from "../devices/formats.js";
import { type FormatReading, readFormatBody } from "@lcore/protocol/formatBody";
import { FormatError } from "@lcore/protocol/formatError";

/**
 * PROTOCOL §11: a day more than DISCLOSURE_WINDOW_DAYS before today is closed (its pruned counts are gone).
 * Today is the block's day, or the day the last settled period ended if later (a clock gone back): that
 * end only increases, and pruning cuts the window there (settle.ts), so a closed day never reopens.
 */
export function requireDisclosable(ctx: AdvanceContext, deviceId: bigint, period: bigint): void {
  const last = lastSettledPeriod(ctx.store);
  const settledEnd = last === null ? 0n : (last + 1n) * SETTLEMENT_PERIOD_SECONDS;
  const now = ctx.meta.blockTimestamp > settledEnd ? ctx.meta.blockTimestamp : settledEnd;
  const today = now / DISCLOSURE_PERIOD_SECONDS;
  if (period < today - DISCLOSURE_WINDOW_DAYS) {
    throw new Rejection(
      "disclosure_window_closed",
      `period ${period} is more than ${DISCLOSURE_WINDOW_DAYS} days before day ${today}`,
    );
  }
  if (hasDisclosure(ctx.store, deviceId, period))
    throw new Rejection("already_disclosed", `period ${period} of device ${deviceId} was disclosed`);
}

export function handleKeyDisclosure(ctx: AdvanceContext, input: KeyDisclosure): void {
  const { store, meta } = ctx;
  const device = deviceByAddress(store, input.device);
  if (device === null) throw new Rejection("unknown_device", `device ${toHex(input.device)} is not registered`);
  requireOwner(meta.sender, device.owner);
  const period = BigInt(input.period);
  requireDisclosable(ctx, device.id, period);
  if (prunedCount(store, device.id, period) > 0n) {
    throw new Rejection(
      "period_pruned",
      `records of ${toHex(input.device)} in period ${input.period} were pruned: disclose them with 0x12`,
    );
  }

  const from = period * DISCLOSURE_PERIOD_SECONDS;
  const records = deviceRecordsInTime(store, device.id, from, from + DISCLOSURE_PERIOD_SECONDS - 1n);
  if (records.length === 0)
    throw new Rejection("no_records", `device ${toHex(input.device)} has no record in period ${input.period}`);

  const agg: Aggregate = { count: 0n, sum: 0n, min: 0n, max: 0n };
  const format = formatOf(store, device.id);
  for (const r of records) addOpened(agg, openRecord(ctx, input.periodKey, device.address, r, format));
  publishDisclosure(ctx, device.id, device.address, input.period, input.periodKey, input.voucher, agg);
}

/** Open one record of the disclosed period with its key, check it against its signed bodyHash, and return its value. */
export function openRecord(
  ctx: AdvanceContext,
  periodKey: Uint8Array,
  address: Uint8Array,
  r: Pick<RecordRow, "seq" | "timestamp" | "bodyHash" | "signature" | "sealed">,
  format: DeviceFormatRow | null = null,
): bigint {
  // A format record's bodyHash field is the digest its device signed (PROTOCOL §12.1).
  const digest =
    format === null
      ? readingDigest({ device: address, seq: r.seq, timestamp: r.timestamp, bodyHash: r.bodyHash })
      : r.bodyHash;
  const failed = (reason: RejectReason, why: string) =>
    new Rejection(reason, `record seq ${r.seq}: ${why}`, {
      device: toHex(address),
      seq: r.seq.toString(),
      recordHash: toHex(recordHash(encodeRecord({ device: address, ...r }))),
    });
  let body: Uint8Array;
  try {
    body = openReading({ periodKey, app: ctx.meta.app, device: address, seq: r.seq, digest, sealed: r.sealed });
  } catch {
    throw failed("bad_period_key", "does not open with this key");
  }
  if (format !== null) return formatValue(format, body, r, failed);
  if (!equalBytes(sha256(body), r.bodyHash))
    throw failed("body_hash_mismatch", "body does not match its signed bodyHash");
  try {
    return decodeReadingBody(body).value;
  } catch {
    throw failed("bad_reading_body", "malformed reading body");
  }
}

/** PROTOCOL §12.5: the digest recomputed from the opened signed bytes, the time they carry, the value of the format's field. */
function formatValue(
  format: DeviceFormatRow,
  body: Uint8Array,
  r: Pick<RecordRow, "seq" | "timestamp" | "bodyHash">,
  failed: (reason: RejectReason, why: string) => Rejection,
): bigint {
  let reading: FormatReading;
  try {
    reading = readFormatBody(format.format, body, format.valueField, format.scale);
  } catch (error) {
    throw failed("bad_reading_body", error instanceof FormatError ? error.code : "malformed format body");
  }
  if (!equalBytes(reading.digest, r.bodyHash))
    throw failed("body_hash_mismatch", "the opened bytes do not hash to the signed digest");
  if (reading.time !== r.timestamp) throw failed("bad_reading_body", "the signed time is not the record's timestamp");
  return reading.value;
}

export function addOpened(agg: Aggregate, value: bigint): void {
  agg.min = agg.count === 0n || value < agg.min ? value : agg.min;
  agg.max = agg.count === 0n || value > agg.max ? value : agg.max;
  agg.sum += value;
  agg.count += 1n;
}

/** Store the disclosure, extend the settlement fold, and emit notice 0x91 (and the voucher if asked). */
export function publishDisclosure(
  ctx: AdvanceContext,
  deviceId: bigint,
  address: Uint8Array,
  periodNumber: number,
  periodKey: Uint8Array,
  voucher: boolean,
  agg: Aggregate,
): void {
  const { store, meta } = ctx;
  const period = BigInt(periodNumber);
  insertDisclosure(store, {
    deviceId,
    period,
    count: agg.count,
    sum: int128Bytes(agg.sum),
    min: agg.min,
    max: agg.max,
    voucher,
    inputIndex: meta.inputIndex,
  });
  const open = openPeriod(store);
  const fold = keccak256(
    new ByteWriter(32 + 1 + 24 + 16 + 16 + 1 + 8)
      .bytes(open.fold, 32)
      .u8(0x02)
      .u64(deviceId)
      .u64(period)
      .u64(agg.count)
      .bytes(int128Bytes(agg.sum), 16)
      .u64(BigInt.asUintN(64, agg.min))
      .u64(BigInt.asUintN(64, agg.max))
      .u8(voucher ? 1 : 0)
      .u64(meta.inputIndex)
      .finish(),
  );
  putOpenPeriod(store, { ...open, fold });
  const hash = saveState(ctx, store.state());

  ctx.out.notice(encodeDisclosureNotice({ stateHash: hash, device: address, period: periodNumber, periodKey, ...agg }));
  if (voucher) {
    ctx.out.voucher(
      settlementAddress(meta.app),
      0n,
      encodeRecordAggregateCall({ device: address, period, ...agg, stateHash: hash }),
    );
  }
}
