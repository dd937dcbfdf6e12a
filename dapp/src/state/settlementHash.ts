// The part of the canonical state hash that covers settlement and disclosure
// (PROTOCOL §9, §10): the open period and the append-only fold of what was settled and
// disclosed.
//
//   settlementHash = keccak256(fold || openPeriod(u64; 2^64 − 1 when none) || openFirstRecord(u64) || openCount(u64))
//   fold, from 32 zero bytes, per settled period:  keccak256(fold || 0x01 || period(u64) || firstRecord(u64) || recordCount(u64) || recordsRoot || stateHash || settledInput(u64))
//                             per disclosure:      keccak256(fold || 0x02 || deviceId(u64) || period(u64) || count(u64) || sum(i128) || min(i64) || max(i64) || voucher(u8) || inputIndex(u64))
//                             per kept 0x12 part:  keccak256(fold || 0x03 || deviceId(u64) || period(u64) || disclosedSoFar(u64) || inputIndex(u64))

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "@lcore/protocol/bytes";

const NONE = (1n << 64n) - 1n;

export function settlementHashOf(
  fold: Uint8Array,
  openPeriod: bigint | null,
  openFirstRecord: bigint,
  openCount: bigint,
): Uint8Array {
  return keccak256(
    new ByteWriter(56)
      .bytes(fold, 32)
      .u64(openPeriod ?? NONE)
      .u64(openFirstRecord)
      .u64(openCount)
      .finish(),
  );
}
