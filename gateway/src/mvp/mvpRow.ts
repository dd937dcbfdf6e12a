// One MVP data_submissions row → one reading, deterministically (PROTOCOL §7.7): the same
// row always gives the same bytes, so a row sent twice is an exact duplicate, which the
// gateway recognises, and never a second record.
//
//   seq = row id   timestamp = submission_date   nonce = custodian.migrationNonce(device_id, row id)
//   value = round(data × 1000) when data is UTF-8 JSON of a finite number, else 0
//   payload = encodeProvenance(row)   signature = the device's custodial key (RFC 6979)

import { U63_LIMIT } from "@lcore/protocol/bytes";
import { encodeReadingBody, readingMessage } from "@lcore/protocol/deviceMessage";
import { sha256 } from "@lcore/wasm-core";
import type { DeviceState } from "../devices/deviceRegistry.js";
import { toHex } from "@lcore/protocol/bytes";
import type { DeviceReading } from "../http/schemas.js";
import type { MvpCustodian } from "./mvpCustodian.js";
import { MVP_VALUE_SCALE, scaledMvpValue } from "./mvpValue.js";
import { MAX_TX_HASH_BYTES, encodeProvenance, type SkipReason } from "@lcore/protocol/mvpMigration";

export class RowSkipped extends Error {
  override name = "RowSkipped";
  constructor(
    readonly reason: SkipReason,
    detail: string,
  ) {
    super(detail);
  }
}

export interface MvpRow {
  deviceId: string;
  rowId: bigint;
  submissionDate: bigint;
  transactionHash: string | null;
  data: Uint8Array;
}

/** value of an MVP data BLOB: the MVP route's rule applied to the BLOB read as UTF-8 JSON. */
export function mvpValue(data: Uint8Array): bigint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    return 0n;
  }
  if (typeof parsed !== "number" || !Number.isFinite(parsed)) return 0n;
  const value = scaledMvpValue(parsed);
  if (value === null)
    throw new RowSkipped("value_out_of_range", `data × ${MVP_VALUE_SCALE} must fit a signed 64-bit integer`);
  return value;
}

export interface BuiltRow {
  reading: DeviceReading;
  digest: Uint8Array;
}

/** The row's reading, unsigned until `sign` (the duplicate check needs only the digest). Throws RowSkipped. */
export function buildRow(
  row: MvpRow,
  device: DeviceState,
  custodian: MvpCustodian,
  latestTimestamp: bigint,
): BuiltRow & { sign(): DeviceReading } {
  if (row.rowId < 0n || row.rowId >= U63_LIMIT) throw new RowSkipped("bad_row_id", "row id must be in 0..2^63-1");
  if (row.submissionDate < 0n || row.submissionDate >= U63_LIMIT)
    throw new RowSkipped("bad_submission_date", "submission_date must be seconds in 0..2^63-1");
  if (row.submissionDate > latestTimestamp)
    throw new RowSkipped("submission_date_in_future", `submission_date is after ${latestTimestamp}`);
  if (row.transactionHash !== null && new TextEncoder().encode(row.transactionHash).length > MAX_TX_HASH_BYTES) {
    throw new RowSkipped("bad_transaction_hash", `transaction_hash is over ${MAX_TX_HASH_BYTES} bytes`);
  }
  let payload: Uint8Array;
  try {
    payload = encodeProvenance({
      rowId: row.rowId,
      submissionDate: row.submissionDate,
      transactionHash: row.transactionHash,
      data: row.data,
    });
  } catch (error) {
    throw new RowSkipped("data_too_large", (error as Error).message);
  }
  const value = mvpValue(row.data);
  const nonce = custodian.migrationNonce(row.deviceId, row.rowId);
  const bodyHash = sha256(encodeReadingBody({ nonce, value, payload }));
  const digest = sha256(
    readingMessage({ device: device.address, seq: row.rowId, timestamp: row.submissionDate, bodyHash }),
  );
  const reading: DeviceReading = {
    device: device.hex,
    seq: row.rowId.toString(),
    timestamp: row.submissionDate.toString(),
    nonce: toHex(nonce),
    value: value.toString(),
    payload: toHex(payload),
    signature: "",
  };
  return {
    reading,
    digest,
    sign: () => ({ ...reading, signature: toHex(custodian.sign(row.deviceId, digest)) }),
  };
}
