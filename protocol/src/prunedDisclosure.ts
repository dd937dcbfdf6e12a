// Disclosure of pruned records (kind 0x12, PROTOCOL §11.1): the owner discloses one
// device-day whose records (some or all) left the state, and supplies those records —
// public data, they are chain inputs — each with its inclusion proof against the root of
// the settled period that holds it. A large day goes in several inputs (parts); the dApp
// counts the records it got against the pruned count it kept and publishes the same
// 0x91 notice as a key disclosure once the last part arrives.
//
//   pruned disclosure = 0x12 0x01 device(20) period(u32) periodKey(32) flags(u8) count(u16) entry × count
//   entry             = settlementPeriod(u64) leafIndex(u32) proofLength(u8) proof(32 × proofLength) record
//                       record: the wire record of §3.5; 1 ≤ count ≤ MAX_PRUNED_DISCLOSURE_RECORDS (317),
//                       proofLength ≤ MAX_RECORDS_PROOF_LENGTH (32)

import {
  MAX_PRUNED_DISCLOSURE_RECORDS,
  MAX_RECORDS_PROOF_LENGTH,
  PRUNED_DISCLOSURE_HEADER_LENGTH,
  PRUNED_ENTRY_FIXED_LENGTH,
} from "./bounds.js";
import { type ByteReader, ByteWriter } from "./bytes.js";
import { DISCLOSURE_FLAG_VOUCHER } from "./disclosure.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";
import { type DecodedRecord, type WireRecord, encodeRecord, readRecord } from "./recordBatch.js";

export interface PrunedEntry<R extends WireRecord = DecodedRecord> {
  /** The settlement period (§9) whose records tree holds the record. */
  settlementPeriod: bigint;
  /** The record's leaf index in that tree: its id − the period's firstRecord. */
  leafIndex: number;
  proof: Uint8Array[];
  record: R;
}

export interface PrunedDisclosure {
  kind: "pruned_disclosure";
  device: Uint8Array;
  period: number;
  periodKey: Uint8Array;
  voucher: boolean;
  entries: PrunedEntry[];
}

export function readPrunedDisclosure(r: ByteReader): PrunedDisclosure {
  const device = r.take(20, "device");
  const period = r.u32("period");
  const periodKey = r.take(32, "period key");
  const flags = r.u8("flags");
  if ((flags & ~DISCLOSURE_FLAG_VOUCHER) !== 0)
    throw new DecodeError("bad_flags", `flags 0x${flags.toString(16).padStart(2, "0")} set unknown bits`);
  const count = r.u16("entry count");
  if (count === 0 || count > MAX_PRUNED_DISCLOSURE_RECORDS)
    throw new DecodeError("bad_count", `entry count ${count} outside 1..${MAX_PRUNED_DISCLOSURE_RECORDS}`);
  const entries: PrunedEntry[] = [];
  for (let i = 0; i < count; i++) {
    const settlementPeriod = r.u64(`entry ${i} settlement period`);
    const leafIndex = r.u32(`entry ${i} leaf index`);
    const proofLength = r.u8(`entry ${i} proof length`);
    if (proofLength > MAX_RECORDS_PROOF_LENGTH)
      throw new DecodeError("bad_count", `entry ${i} proof length ${proofLength} over ${MAX_RECORDS_PROOF_LENGTH}`);
    const proof: Uint8Array[] = [];
    for (let k = 0; k < proofLength; k++) proof.push(r.take(32, `entry ${i} proof`));
    entries.push({ settlementPeriod, leafIndex, proof, record: readRecord(r, i) });
  }
  r.end("pruned disclosure");
  return {
    kind: "pruned_disclosure",
    device,
    period,
    periodKey,
    voucher: (flags & DISCLOSURE_FLAG_VOUCHER) !== 0,
    entries,
  };
}

/** Bytes of one entry. */
export function prunedEntryLength(e: PrunedEntry<WireRecord>): number {
  return PRUNED_ENTRY_FIXED_LENGTH + 32 * e.proof.length + encodeRecord(e.record).length;
}

export function encodePrunedDisclosure(
  d: Omit<PrunedDisclosure, "kind" | "entries"> & { entries: readonly PrunedEntry<WireRecord>[] },
): Uint8Array {
  if (d.entries.length === 0 || d.entries.length > MAX_PRUNED_DISCLOSURE_RECORDS)
    throw new RangeError(`entry count ${d.entries.length} outside 1..${MAX_PRUNED_DISCLOSURE_RECORDS}`);
  let n = PRUNED_DISCLOSURE_HEADER_LENGTH;
  for (const e of d.entries) n += prunedEntryLength(e);
  const w = new ByteWriter(n)
    .u8(InputKind.PrunedDisclosure)
    .u8(VERSION_1)
    .bytes(d.device, 20)
    .u32(d.period)
    .bytes(d.periodKey, 32)
    .u8(d.voucher ? DISCLOSURE_FLAG_VOUCHER : 0)
    .u16(d.entries.length);
  for (const e of d.entries) {
    w.u64(e.settlementPeriod).u32(e.leafIndex).u8(e.proof.length);
    for (const s of e.proof) w.bytes(s, 32);
    w.bytes(encodeRecord(e.record));
  }
  return w.finish();
}

/** Split a day's entries (in seq order) into as many inputs as the payload bound needs, each ≤ MAX_PAYLOAD_LENGTH. */
export function encodePrunedDisclosureParts(
  d: Omit<PrunedDisclosure, "kind" | "entries"> & { entries: readonly PrunedEntry<WireRecord>[] },
  maxPayload: number,
): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let batch: PrunedEntry<WireRecord>[] = [];
  let size = PRUNED_DISCLOSURE_HEADER_LENGTH;
  for (const e of d.entries) {
    const n = prunedEntryLength(e);
    if (batch.length > 0 && (size + n > maxPayload || batch.length === MAX_PRUNED_DISCLOSURE_RECORDS)) {
      parts.push(encodePrunedDisclosure({ ...d, entries: batch }));
      batch = [];
      size = PRUNED_DISCLOSURE_HEADER_LENGTH;
    }
    batch.push(e);
    size += n;
  }
  if (batch.length > 0) parts.push(encodePrunedDisclosure({ ...d, entries: batch }));
  return parts;
}
