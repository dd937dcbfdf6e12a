// Selective disclosure (PROTOCOL §10): the owner publishes one device-period key; the
// dApp opens that device's records of that disclosure period and publishes their
// aggregate (notice 0x91) and, if asked, an aggregate voucher to LcoreSettlement.
//
//   key disclosure    = 0x11 0x01 device(20) period(u32) periodKey(32) flags(u8)      (59 bytes)
//                       flags: bit 0 = also emit the recordAggregate voucher; other bits must be 0
//   disclosure notice = 0x91 0x01 stateHash(32) device(20) period(u32) periodKey(32) count(u64)
//                       sum(i128) min(i64) max(i64)                                    (130 bytes)
//
// The period is the disclosure period of PROTOCOL §1 (floor(device timestamp / 86,400)),
// not the settlement period (block time, §9).

import { ByteReader, ByteWriter } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";

export const DISCLOSURE_FLAG_VOUCHER = 0x01;
export const KEY_DISCLOSURE_LENGTH = 59;
export const DISCLOSURE_NOTICE_KIND = 0x91;
export const DISCLOSURE_NOTICE_LENGTH = 2 + 32 + 20 + 4 + 32 + 8 + 16 + 8 + 8;

export interface KeyDisclosure {
  kind: "key_disclosure";
  device: Uint8Array;
  period: number;
  periodKey: Uint8Array;
  /** Also emit LcoreSettlement.recordAggregate. */
  voucher: boolean;
}

export function readKeyDisclosure(r: ByteReader): KeyDisclosure {
  const device = r.take(20, "device");
  const period = r.u32("period");
  const periodKey = r.take(32, "period key");
  const flags = r.u8("flags");
  if ((flags & ~DISCLOSURE_FLAG_VOUCHER) !== 0)
    throw new DecodeError("bad_flags", `flags 0x${flags.toString(16).padStart(2, "0")} set unknown bits`);
  r.end("key disclosure");
  return { kind: "key_disclosure", device, period, periodKey, voucher: (flags & DISCLOSURE_FLAG_VOUCHER) !== 0 };
}

export function encodeKeyDisclosure(d: Omit<KeyDisclosure, "kind">): Uint8Array {
  return new ByteWriter(KEY_DISCLOSURE_LENGTH)
    .u8(InputKind.KeyDisclosure)
    .u8(VERSION_1)
    .bytes(d.device, 20)
    .u32(d.period)
    .bytes(d.periodKey, 32)
    .u8(d.voucher ? DISCLOSURE_FLAG_VOUCHER : 0)
    .finish();
}

export interface DisclosureNotice {
  kind: "key_disclosed";
  /** The state hash after the disclosure. */
  stateHash: Uint8Array;
  device: Uint8Array;
  period: number;
  periodKey: Uint8Array;
  count: bigint;
  sum: bigint;
  min: bigint;
  max: bigint;
}

/** int128, 16 bytes two's complement big-endian (the disclosure notice's and the state's sum). */
export function int128Bytes(v: bigint): Uint8Array {
  if (v < -(1n << 127n) || v >= 1n << 127n) throw new RangeError("sum does not fit int128");
  const u = BigInt.asUintN(128, v);
  return new ByteWriter(16)
    .u64(u >> 64n)
    .u64(u & ((1n << 64n) - 1n))
    .finish();
}

export function encodeDisclosureNotice(n: Omit<DisclosureNotice, "kind">): Uint8Array {
  return new ByteWriter(DISCLOSURE_NOTICE_LENGTH)
    .u8(DISCLOSURE_NOTICE_KIND)
    .u8(VERSION_1)
    .bytes(n.stateHash, 32)
    .bytes(n.device, 20)
    .u32(n.period)
    .bytes(n.periodKey, 32)
    .u64(n.count)
    .bytes(int128Bytes(n.sum), 16)
    .u64(BigInt.asUintN(64, n.min))
    .u64(BigInt.asUintN(64, n.max))
    .finish();
}

export function decodeDisclosureNotice(bytes: Uint8Array): DisclosureNotice {
  if (bytes.length !== DISCLOSURE_NOTICE_LENGTH || bytes[0] !== DISCLOSURE_NOTICE_KIND || bytes[1] !== VERSION_1) {
    throw new DecodeError("unknown_kind", "not a disclosure notice");
  }
  const r = new ByteReader(bytes.subarray(2));
  return {
    kind: "key_disclosed",
    stateHash: r.take(32, "state hash").slice(),
    device: r.take(20, "device").slice(),
    period: r.u32("period"),
    periodKey: r.take(32, "period key").slice(),
    count: r.u64("count"),
    sum: BigInt.asIntN(128, (r.u64("sum") << 64n) | r.u64("sum")),
    min: BigInt.asIntN(64, r.u64("min")),
    max: BigInt.asIntN(64, r.u64("max")),
  };
}
