// The MVP migration's wire contract between the `lcore migrate` client and the gateway's
// migration route (PROTOCOL §7.7): which device ids the MVP accepted, why a row is skipped,
// and the payload a migrated reading carries.
//
// The payload of a reading migrated from the lcore MVP (PROTOCOL §7.7): the MVP row's
// identity and its data BLOB verbatim, so the sealed record alone says where it came from
// and nothing of the original bytes is lost.
//
//   payload = "LMV1"(4) || rowId(u64) || submissionDate(u64) || txHashLength(u8) || txHash || data
//   txHashLength = 255 when transaction_hash is NULL (no bytes follow), else 0..254 UTF-8 bytes

import { MAX_READING_PAYLOAD } from "./bounds.js";

export const PROVENANCE_MAGIC = new TextEncoder().encode("LMV1");
/** txHashLength meaning "the MVP column was NULL". */
export const TX_HASH_NULL = 255;
export const MAX_TX_HASH_BYTES = 254;
const FIXED = PROVENANCE_MAGIC.length + 8 + 8 + 1;

export interface MvpProvenance {
  rowId: bigint;
  submissionDate: bigint;
  transactionHash: string | null;
  data: Uint8Array;
}

/** The payload's length, to refuse a row before building anything (the bound is MAX_READING_PAYLOAD). */
export function provenanceLength(txHashBytes: number, dataBytes: number): number {
  return FIXED + txHashBytes + dataBytes;
}

/** Throws RangeError on a transaction hash over 254 bytes or a payload over MAX_READING_PAYLOAD. */
export function encodeProvenance(p: MvpProvenance): Uint8Array {
  const tx = p.transactionHash === null ? new Uint8Array(0) : new TextEncoder().encode(p.transactionHash);
  if (tx.length > MAX_TX_HASH_BYTES)
    throw new RangeError(`transaction_hash is ${tx.length} bytes, over ${MAX_TX_HASH_BYTES}`);
  const length = provenanceLength(tx.length, p.data.length);
  if (length > MAX_READING_PAYLOAD)
    throw new RangeError(`the migrated payload would be ${length} bytes, over ${MAX_READING_PAYLOAD}`);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out.set(PROVENANCE_MAGIC, 0);
  view.setBigUint64(4, p.rowId);
  view.setBigUint64(12, p.submissionDate);
  out[20] = p.transactionHash === null ? TX_HASH_NULL : tx.length;
  out.set(tx, FIXED);
  out.set(p.data, FIXED + tx.length);
  return out;
}

/** The inverse; undefined when `payload` is not a migrated one (a live reading's payload). */
export function decodeProvenance(payload: Uint8Array): MvpProvenance | undefined {
  if (payload.length < FIXED || PROVENANCE_MAGIC.some((b, i) => payload[i] !== b)) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const txLength = payload[20]!;
  const txBytes = txLength === TX_HASH_NULL ? 0 : txLength;
  if (FIXED + txBytes > payload.length) return undefined;
  return {
    rowId: view.getBigUint64(4),
    submissionDate: view.getBigUint64(12),
    transactionHash:
      txLength === TX_HASH_NULL ? null : new TextDecoder().decode(payload.subarray(FIXED, FIXED + txBytes)),
    data: new Uint8Array(payload.subarray(FIXED + txBytes)), // a copy, and a plain Uint8Array even from a Buffer
  };
}

/** A device_id the MVP route accepts (http/schemas.ts MvpRegister); the migrate client skips any other before sending. */
export const MVP_DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Why a row is not migrated. Stable: the reconciliation report and PROTOCOL §7.7 use them. */
export const SKIP_REASONS = [
  "device_not_in_mvp", // device_id is not in the MVP devices table (the CLI)
  "device_id_invalid", // device_id is not 1..128 of [A-Za-z0-9._:-], the MVP route's rule
  "device_unknown", // the gateway has no device for device_id (not registered first)
  "device_refused", // the chain refuses the device: its registration was rejected, or it was revoked
  "bad_row_id", // row id not an integer in 0..2^63-1
  "bad_submission_date", // not an integer in 0..2^63-1 (seconds)
  "submission_date_in_future", // more than the gateway's skew ahead of its clock
  "bad_data", // data is NULL
  "bad_transaction_hash", // transaction_hash is not text or NULL, or over 254 bytes
  "data_too_large", // the migrated payload would pass 1024 bytes
  "value_out_of_range", // data × 1000 does not fit an i64
  "device_past_row", // the device already has a different reading at or after this seq
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
