// Record batches (kind 0x04): the signed, sealed readings the gateway relays.
//
//   batch  = 0x04 0x01 count(u16) record × count          1 ≤ count ≤ MAX_BATCH_RECORDS
//   record = device(20) seq(u64) timestamp(u64) bodyHash(32) signature(64) sealedLength(u16) sealed
//                                                          MIN_SEALED_LENGTH ≤ sealedLength ≤ MAX_SEALED_LENGTH
//
// Per record the envelope adds only the 2-byte sealed length; the rest is what the
// dApp needs to recompute M and the digest (PROTOCOL §1) and what it stores.

import {
  BATCH_HEADER_LENGTH,
  MAX_BATCH_RECORDS,
  MAX_PAYLOAD_LENGTH,
  MAX_SEALED_LENGTH,
  MIN_SEALED_LENGTH,
  RECORD_FIXED_LENGTH,
} from "./bounds.js";
import { keccak256 } from "@lcore/wasm-core";
import { type ByteReader, ByteWriter } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";

export interface WireRecord {
  device: Uint8Array;
  seq: bigint;
  timestamp: bigint;
  bodyHash: Uint8Array;
  /** Compact r || s, low-s, over readingDigest. */
  signature: Uint8Array;
  sealed: Uint8Array;
}

export interface DecodedRecord extends WireRecord {
  /** The record's whole wire encoding (device … sealed): what its record hash covers. */
  bytes: Uint8Array;
}

export interface RecordBatch {
  kind: "record_batch";
  records: DecodedRecord[];
}

export function readRecordBatch(r: ByteReader): RecordBatch {
  const count = r.u16("record count");
  if (count === 0 || count > MAX_BATCH_RECORDS) {
    throw new DecodeError("bad_count", `record count ${count} outside 1..${MAX_BATCH_RECORDS}`);
  }
  const records: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) records.push(readRecord(r, i));
  r.end("record batch");
  return { kind: "record_batch", records };
}

/** One wire record (also inside a disclosure of pruned records, protocol/prunedDisclosure.ts). */
export function readRecord(r: ByteReader, i: number): DecodedRecord {
  const start = r.position;
  const device = r.take(20, `record ${i} device`);
  const seq = r.u64(`record ${i} seq`);
  const timestamp = r.u64(`record ${i} timestamp`);
  const bodyHash = r.take(32, `record ${i} body hash`);
  const signature = r.take(64, `record ${i} signature`);
  const sealedLength = r.u16(`record ${i} sealed length`);
  if (sealedLength < MIN_SEALED_LENGTH || sealedLength > MAX_SEALED_LENGTH) {
    throw new DecodeError(
      "bad_sealed_length",
      `record ${i} sealed length ${sealedLength} outside ${MIN_SEALED_LENGTH}..${MAX_SEALED_LENGTH}`,
    );
  }
  const sealed = r.take(sealedLength, `record ${i} sealed`);
  return { device, seq, timestamp, bodyHash, signature, sealed, bytes: r.bytes.subarray(start, r.position) };
}

/** Bytes a record takes in a batch. */
export function recordLength(sealedLength: number): number {
  return RECORD_FIXED_LENGTH + sealedLength;
}

/** One record's wire encoding (what the record hash covers). */
export function encodeRecord(rec: WireRecord): Uint8Array {
  return writeRecord(new ByteWriter(recordLength(rec.sealed.length)), rec).finish();
}

function writeRecord(w: ByteWriter, rec: WireRecord): ByteWriter {
  if (rec.sealed.length < MIN_SEALED_LENGTH || rec.sealed.length > MAX_SEALED_LENGTH) {
    throw new RangeError(`sealed length ${rec.sealed.length} outside ${MIN_SEALED_LENGTH}..${MAX_SEALED_LENGTH}`);
  }
  return w
    .bytes(rec.device, 20)
    .u64(rec.seq)
    .u64(rec.timestamp)
    .bytes(rec.bodyHash, 32)
    .bytes(rec.signature, 64)
    .u16(rec.sealed.length)
    .bytes(rec.sealed);
}

/** Payload length of a batch of these records: lets the gateway pack batches under MAX_PAYLOAD_LENGTH. */
export function recordBatchLength(records: readonly Pick<WireRecord, "sealed">[]): number {
  let n = BATCH_HEADER_LENGTH;
  for (const rec of records) n += recordLength(rec.sealed.length);
  return n;
}

export function encodeRecordBatch(records: readonly WireRecord[]): Uint8Array {
  if (records.length === 0 || records.length > MAX_BATCH_RECORDS) {
    throw new RangeError(`record count ${records.length} outside 1..${MAX_BATCH_RECORDS}`);
  }
  const length = recordBatchLength(records);
  if (length > MAX_PAYLOAD_LENGTH) throw new RangeError(`batch of ${length} bytes over ${MAX_PAYLOAD_LENGTH}`);
  const w = new ByteWriter(length).u8(InputKind.RecordBatch).u8(VERSION_1).u16(records.length);
  for (const rec of records) writeRecord(w, rec);
  return w.finish();
}

/** The record count a record batch's header states (kind, version, count(u16)), or 0 if `payload` is not a record batch. */
export function recordBatchCount(payload: Uint8Array): number {
  if (payload.length < BATCH_HEADER_LENGTH || payload[0] !== InputKind.RecordBatch || payload[1] !== VERSION_1)
    return 0;
  return (payload[2]! << 8) | payload[3]!;
}

/** Keccak-256 of the record's wire encoding: the id a user finds in the batch notice (Keccak so a contract can recompute it cheaply). */
export function recordHash(record: WireRecord | Uint8Array): Uint8Array {
  return keccak256(record instanceof Uint8Array ? record : encodeRecord(record));
}
