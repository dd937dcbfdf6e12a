// A batch of signed, sealed records. Each record is checked on its own: an unknown or
// revoked device, a sender its owner did not allow (PROTOCOL §3.6), a replayed seq, a
// timestamp from the future, a device-day already full (MAX_DEVICE_DAY_RECORDS) or a bad signature skips that record (listed in one report)
// and the rest of the batch is stored. If nothing
// is left, the input is rejected, so an input either changes the state or leaves no trace.

import { keccak256, sha256 } from "@lcore/wasm-core";
import { sec1PublicKey, verifyDigest } from "../crypto/secp256k1.js";
import { MAX_FUTURE_SKEW_SECONDS } from "@lcore/protocol/bounds";
import { U63_LIMIT, equalBytes, toHex } from "@lcore/protocol/bytes";
import { READING_TAG } from "@lcore/protocol/deviceMessage";
import { type AcceptedRecordEntry, encodeNotice } from "@lcore/protocol/notices";
import type { SkipReason } from "@lcore/protocol/reasons";
import type { SkippedRecord } from "@lcore/protocol/reports";
import type { DecodedRecord, RecordBatch } from "@lcore/protocol/recordBatch";
import { Rejection } from "../context/rejection.js";
import { DEVICE_ACTIVE, type DeviceRow, deviceByAddress, lastSeq, noteDeviceRecords } from "../devices/store.js";
import { dayHasRoom, dayOf, deviceDayCount, putDeviceDayCount } from "./deviceDays.js";
import { foldRecord } from "./fold.js";
import { type RecordRow, insertRecords } from "./store.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import type { StateRow } from "../state/store.js";
import { noteAcceptedRecords } from "../settlement/settle.js";
import { isAllowed } from "../submitters/store.js";
import { type DeviceFormatRow, formatOf } from "../devices/formats.js";
import { DeviceFormat } from "@lcore/protocol/deviceFormats";
import { verifyP256Digest } from "../crypto/p256.js";

interface BatchDevice {
  row: DeviceRow;
  key65: Uint8Array;
  lastSeq: bigint | null;
  /** Records of this device accepted in this input. */
  accepted: bigint;
  /** The input's sender is the device's owner or one it allows. */
  senderAllowed: boolean;
  /** Records accepted per disclosure day, this input's included (read when the batch first meets the day). */
  days: Map<bigint, bigint>;
  /** Null for an lcore device; else its format (PROTOCOL §12). */
  format: DeviceFormatRow | null;
}

/**
 * The wire record starts device(20) seq(8) timestamp(8) bodyHash(32): exactly
 * M = "LCR1" || device || seq || timestamp || bodyHash without its tag (PROTOCOL §1),
 * so the digest is computed from the payload bytes without re-encoding.
 */
const HEADER_LENGTH = 68;
const message = new Uint8Array(4 + HEADER_LENGTH);
message.set(READING_TAG);

export function handleRecordBatch(ctx: AdvanceContext, batch: RecordBatch): void {
  const { store, meta, probe } = ctx;
  const latest = meta.blockTimestamp + MAX_FUTURE_SKEW_SECONDS;
  // Devices looked up in this input; dropped with it, so a rollback leaves nothing stale.
  const devices = new Map<string, BatchDevice | null>();
  const s = store.state();
  const accepted: AcceptedRecordEntry[] = [];
  /** The accepted rows, inserted together at the end (commitBatch): nothing in the batch reads them before. */
  const rows: RecordRow[] = [];
  const skipped: SkippedRecord[] = [];
  let recordsHash = s.recordsHash;

  for (let i = 0; i < batch.records.length; i++) {
    const rec = batch.records[i]!;
    const skip = (reason: SkipReason) =>
      skipped.push({ index: i, device: toHex(rec.device), seq: rec.seq.toString(), reason });
    const dev = batchDevice(ctx, devices, rec.device);
    probe?.lap("sql");
    if (dev === null) {
      skip("unknown_device");
      continue;
    }
    const reason = recordSkipReason(dev, rec, latest);
    if (reason !== null) {
      skip(reason);
      continue;
    }
    if (!dayHasRoom(dayCount(ctx, dev, dayOf(rec.timestamp)))) {
      skip("device_day_full");
      continue;
    }
    if (!signatureValid(ctx, dev, rec)) {
      skip("bad_signature");
      continue;
    }
    recordsHash = acceptRecord(ctx, s, dev, rec, recordsHash, accepted, rows);
  }
  probe?.records(batch.records.length);

  if (skipped.length > 0) {
    ctx.out.report({ type: "skipped", input: meta.inputIndex.toString(), records: skipped });
  }
  if (accepted.length === 0)
    throw new Rejection("no_record_accepted", `all ${batch.records.length} records were skipped`);

  commitBatch(ctx, s, devices, accepted, rows, skipped.length, recordsHash);
}

/** The record's device, looked up once per input and kept in `devices`; null for an unknown device. */
function batchDevice(
  ctx: AdvanceContext,
  devices: Map<string, BatchDevice | null>,
  address: Uint8Array,
): BatchDevice | null {
  const { store, meta } = ctx;
  const key = toHex(address);
  let dev = devices.get(key);
  if (dev === undefined) {
    const row = deviceByAddress(store, address);
    dev =
      row === null
        ? null
        : {
            row,
            key65: sec1PublicKey(row.publicKey),
            lastSeq: lastSeq(store, row.id),
            accepted: 0n,
            senderAllowed: equalBytes(row.owner, meta.sender) || isAllowed(store, row.owner, meta.sender),
            days: new Map(),
            format: formatOf(store, row.id),
          };
    devices.set(key, dev);
  }
  return dev;
}

/** Records of the device accepted in `day`, this input's included; read from the state once per input. */
function dayCount(ctx: AdvanceContext, dev: BatchDevice, day: bigint): bigint {
  let count = dev.days.get(day);
  if (count === undefined) {
    count = deviceDayCount(ctx.store, dev.row.id, day);
    dev.days.set(day, count);
  }
  return count;
}

/** Why a record of a known device is skipped before its signature is checked, or null if it is not. */
function recordSkipReason(dev: BatchDevice, rec: DecodedRecord, latest: bigint): SkipReason | null {
  if (dev.row.status !== DEVICE_ACTIVE) return "device_revoked";
  // Before seq: a record from an account the owner did not allow must not spend the
  // device's seq, whatever its signature (the signature does not cover `sealed`).
  if (!dev.senderAllowed) return "submitter_not_allowed";
  if (rec.seq >= U63_LIMIT) return "seq_out_of_range";
  if (dev.lastSeq !== null && rec.seq <= dev.lastSeq) return "seq_not_increasing";
  if (rec.timestamp > latest) return "timestamp_in_future";
  // A format record's seq is its device time (PROTOCOL §12.1): replay protection from what the device signed.
  if (dev.format !== null && rec.seq !== rec.timestamp) return "seq_not_time";
  return null;
}

/** Whether the device's key signed the record's message, hashed from the wire header in place. */
function signatureValid(ctx: AdvanceContext, dev: BatchDevice, rec: DecodedRecord): boolean {
  const { probe } = ctx;
  if (dev.format !== null) {
    // A format record carries the digest its device signed where bodyHash is (PROTOCOL §12.1).
    const ok =
      dev.format.format === DeviceFormat.JwsEs256
        ? verifyP256Digest(rec.bodyHash, dev.row.publicKey, rec.signature)
        : verifyDigest(rec.bodyHash, dev.key65, rec.signature);
    probe?.lap("verify");
    return ok;
  }
  message.set(rec.bytes.subarray(0, HEADER_LENGTH), 4);
  const digest = sha256(message);
  probe?.lap("hash");
  const ok = verifyDigest(digest, dev.key65, rec.signature);
  probe?.lap("verify");
  return ok;
}

/** Give the record the next id, keep its row for the insert and list it as accepted; returns the records hash with it folded in. */
function acceptRecord(
  ctx: AdvanceContext,
  s: StateRow,
  dev: BatchDevice,
  rec: DecodedRecord,
  recordsHash: Uint8Array,
  accepted: AcceptedRecordEntry[],
  rows: RecordRow[],
): Uint8Array {
  const { meta, probe } = ctx;
  const id = s.records + 1n;
  rows.push({
    id,
    deviceId: dev.row.id,
    seq: rec.seq,
    timestamp: rec.timestamp,
    bodyHash: rec.bodyHash,
    signature: rec.signature,
    sealed: rec.sealed,
    inputIndex: meta.inputIndex,
  });
  probe?.lap("sql");
  const recordHash = keccak256(rec.bytes);
  const folded = foldRecord(recordsHash, id, dev.row.id, meta.inputIndex, recordHash);
  probe?.lap("hash");
  s.records = id;
  const day = dayOf(rec.timestamp);
  dev.days.set(day, dev.days.get(day)! + 1n);
  dev.lastSeq = rec.seq;
  dev.accepted++;
  accepted.push({ device: rec.device, seq: rec.seq, recordHash });
  return folded;
}

/** Note each device's new records and the accepted range, save the state and emit the records_accepted notice. */
function commitBatch(
  ctx: AdvanceContext,
  s: StateRow,
  devices: Map<string, BatchDevice | null>,
  accepted: AcceptedRecordEntry[],
  rows: readonly RecordRow[],
  skippedCount: number,
  recordsHash: Uint8Array,
): void {
  const { store, probe } = ctx;
  insertRecords(store, rows);
  // Map order is first-lookup order in the batch; each device's row is independent of it.
  for (const dev of devices.values()) {
    if (dev !== null && dev.accepted > 0n) noteDeviceRecords(store, dev.row.id, dev.lastSeq!, dev.accepted);
    // Days are written in the order the batch met them; each row is independent of the order.
    if (dev !== null && dev.accepted > 0n)
      for (const [day, count] of dev.days) putDeviceDayCount(store, dev.row.id, day, count);
  }
  noteAcceptedRecords(
    ctx,
    s.records - BigInt(accepted.length) + 1n,
    accepted.map((a) => a.recordHash),
    // accepted and rows are parallel (acceptRecord pushes both): the device's address beside its id.
    rows.map((r, i) => ({ deviceId: r.deviceId, address: accepted[i]!.device, seq: r.seq })),
  );
  s.recordsHash = recordsHash;
  s.batches += 1n;
  s.skippedRecords += BigInt(skippedCount);
  const hash = saveState(ctx, s);
  probe?.lap("sql");
  ctx.out.notice(encodeNotice({ kind: "records_accepted", stateHash: hash, records: accepted }));
  probe?.lap("hash");
}
