// Period settlement (PROTOCOL §9): the settlement period, the tick input (kind 0x10),
// the settlement notice (0x90), the ABI payloads of the vouchers to LcoreSettlement,
// and LcoreSettlement's address, which the dApp derives instead of being configured.
//
//   tick              = 0x10 0x01                                   (2 bytes, nothing else)
//   settlement notice = 0x90 0x02 stateHash(32) period(u64) recordsRoot(32) recordCount(u64) firstRecord(u64)
//                       devicesRoot(32) deviceCount(u64) listed(u32) (device(20) count(u64) firstSeq(u64) lastSeq(u64)) × listed
//
// Version 0x02 added the device summaries (deviceSummaries.ts): listed = deviceCount, or 0
// when the period has more than MAX_LISTED_DEVICE_SUMMARIES devices (the notice would pass
// the machine's 2 MiB output bound; the root still commits them all).
//
// The settlement period is floor(block_timestamp / SETTLEMENT_PERIOD_SECONDS), in block
// time; it is not the disclosure period of PROTOCOL §1 (one UTC day of device time).

import { keccak256 } from "@lcore/wasm-core";
import { lcoreSettlementBytecode } from "@lcore/contracts";
import { ByteReader, ByteWriter, ascii, equalBytes, fromHex, readU64, toHex } from "./bytes.js";
import { DecodeError } from "./errors.js";
import type { DeviceSummary } from "./deviceSummaries.js";
import { InputKind, VERSION_1 } from "./kinds.js";

/** One settlement period: an hour of block time. */
export const SETTLEMENT_PERIOD_SECONDS = 3600n;

export const SETTLEMENT_NOTICE_KIND = 0x90;
/** The settlement notice's version: 0x02 since it carries the device summaries (PROTOCOL §9.1). */
export const SETTLEMENT_NOTICE_VERSION = 0x02;
/** The notice without its summaries. */
export const SETTLEMENT_NOTICE_HEADER_LENGTH = 2 + 32 + 8 + 32 + 8 + 8 + 32 + 8 + 4;
export const DEVICE_SUMMARY_LENGTH = 20 + 8 + 8 + 8;
/**
 * Summaries listed in one notice at most: 130 + 44 × 40,000 = 1,760,142 bytes, under the
 * machine's 2 MiB output bound with the ABI envelope. A period with more devices lists none.
 */
export const MAX_LISTED_DEVICE_SUMMARIES = 40_000;

/** The deterministic deployer (Arachnid's CREATE2 proxy) and the salt devnet deploys LcoreSettlement with. */
export const DETERMINISTIC_DEPLOYER = fromHex("0x4e59b44847b379578588920cA78FbF26c0B4956C");
export const SETTLEMENT_SALT = new Uint8Array(32);

export function settlementPeriodOf(blockTimestamp: bigint): bigint {
  return blockTimestamp / SETTLEMENT_PERIOD_SECONDS;
}

export interface SettlementTick {
  kind: "settlement_tick";
}

export function readSettlementTick(r: ByteReader): SettlementTick {
  r.end("settlement tick");
  return { kind: "settlement_tick" };
}

export function encodeSettlementTick(): Uint8Array {
  return Uint8Array.of(InputKind.SettlementTick, VERSION_1);
}

export interface SettlementNotice {
  kind: "period_settled";
  /** The state hash at the close of the period: after its last accepted input, before the settling one. */
  stateHash: Uint8Array;
  period: bigint;
  recordsRoot: Uint8Array;
  recordCount: bigint;
  /** Id (acceptance order, from 1) of the period's first record: leaf i is record firstRecord + i. */
  firstRecord: bigint;
  /** Root of the period's device summaries (deviceSummaries.ts), as settlePeriod commits it. */
  devicesRoot: Uint8Array;
  deviceCount: bigint;
  /** The summaries by device address: all of them, or none past MAX_LISTED_DEVICE_SUMMARIES. */
  summaries: DeviceSummary[];
}

export function encodeSettlementNotice(n: Omit<SettlementNotice, "kind">): Uint8Array {
  const listed = n.summaries.length;
  if (listed !== 0 && BigInt(listed) !== n.deviceCount) throw new RangeError("list every summary or none");
  if (listed > MAX_LISTED_DEVICE_SUMMARIES) throw new RangeError("too many summaries for one notice");
  const w = new ByteWriter(SETTLEMENT_NOTICE_HEADER_LENGTH + DEVICE_SUMMARY_LENGTH * listed)
    .u8(SETTLEMENT_NOTICE_KIND)
    .u8(SETTLEMENT_NOTICE_VERSION)
    .bytes(n.stateHash, 32)
    .u64(n.period)
    .bytes(n.recordsRoot, 32)
    .u64(n.recordCount)
    .u64(n.firstRecord)
    .bytes(n.devicesRoot, 32)
    .u64(n.deviceCount)
    .u32(listed);
  for (const s of n.summaries) w.bytes(s.device, 20).u64(s.count).u64(s.firstSeq).u64(s.lastSeq);
  return w.finish();
}

export function decodeSettlementNotice(bytes: Uint8Array): SettlementNotice {
  if (bytes[0] !== SETTLEMENT_NOTICE_KIND) throw new DecodeError("unknown_kind", "not a settlement notice");
  if (bytes[1] !== SETTLEMENT_NOTICE_VERSION)
    throw new DecodeError("unsupported_version", `settlement notice version ${bytes[1]}`);
  const r = new ByteReader(bytes.subarray(2));
  const head = {
    stateHash: r.take(32, "state hash").slice(),
    period: r.u64("period"),
    recordsRoot: r.take(32, "records root").slice(),
    recordCount: r.u64("record count"),
    firstRecord: r.u64("first record"),
    devicesRoot: r.take(32, "devices root").slice(),
    deviceCount: r.u64("device count"),
  };
  const listed = r.u32("listed summaries");
  if (listed !== 0 && BigInt(listed) !== head.deviceCount)
    throw new DecodeError("bad_count", `${listed} summaries listed of ${head.deviceCount}`);
  const summaries: DeviceSummary[] = [];
  for (let i = 0; i < listed; i++) {
    summaries.push({
      device: r.take(20, "device").slice(),
      count: r.u64("count"),
      firstSeq: r.u64("first seq"),
      lastSeq: r.u64("last seq"),
    });
  }
  r.end("settlement notice");
  return { kind: "period_settled", ...head, summaries };
}

// ---- ABI encoding of the two calls (static arguments only: one 32-byte word each). ----

export function selector(signature: string): Uint8Array {
  return keccak256(ascii(signature)).slice(0, 4);
}

const SETTLE_PERIOD = selector("settlePeriod(uint64,bytes32,uint64,bytes32,bytes32,uint64)");
const RECORD_AGGREGATE = selector("recordAggregate(address,uint64,uint64,int128,int64,int64,bytes32)");

/** A signed or unsigned integer as a 32-byte two's-complement word; `bits` bounds it like the Solidity type. */
export function abiWord(v: bigint, bits: number, signed: boolean): Uint8Array {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < lo || v > hi) throw new RangeError(`${String(v)} does not fit ${signed ? "int" : "uint"}${bits}`);
  let u = BigInt.asUintN(256, v);
  const w = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    w[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return w;
}

function addressWord(a: Uint8Array): Uint8Array {
  if (a.length !== 20) throw new RangeError("address must be 20 bytes");
  const w = new Uint8Array(32);
  w.set(a, 12);
  return w;
}

function call(sel: Uint8Array, words: Uint8Array[]): Uint8Array {
  const w = new ByteWriter(4 + 32 * words.length).bytes(sel);
  for (const x of words) w.bytes(x, 32);
  return w.finish();
}

export interface SettlePeriodCall {
  period: bigint;
  recordsRoot: Uint8Array;
  recordCount: bigint;
  stateHash: Uint8Array;
  devicesRoot: Uint8Array;
  deviceCount: bigint;
}

/** settlePeriod(uint64 period, bytes32 recordsRoot, uint64 recordCount, bytes32 stateHash, bytes32 devicesRoot, uint64 deviceCount) */
export function encodeSettlePeriodCall(c: SettlePeriodCall): Uint8Array {
  return call(SETTLE_PERIOD, [
    abiWord(c.period, 64, false),
    c.recordsRoot,
    abiWord(c.recordCount, 64, false),
    c.stateHash,
    c.devicesRoot,
    abiWord(c.deviceCount, 64, false),
  ]);
}

/** The settlePeriod call in a voucher's payload, or undefined if the payload is not exactly one. */
export function decodeSettlePeriodCall(payload: Uint8Array): SettlePeriodCall | undefined {
  if (payload.length !== 4 + 6 * 32 || !equalBytes(payload.subarray(0, 4), SETTLE_PERIOD)) return undefined;
  const word = (i: number) => payload.subarray(4 + 32 * i, 4 + 32 * (i + 1));
  // An ABI uint64 is zero-padded to its 32-byte word.
  const u64 = (w: Uint8Array): bigint | undefined =>
    w.subarray(0, 24).some((b) => b !== 0) ? undefined : readU64(w, 24);
  const period = u64(word(0));
  const recordCount = u64(word(2));
  const deviceCount = u64(word(5));
  if (period === undefined || recordCount === undefined || deviceCount === undefined) return undefined;
  return {
    period,
    recordsRoot: word(1).slice(),
    recordCount,
    stateHash: word(3).slice(),
    devicesRoot: word(4).slice(),
    deviceCount,
  };
}

export interface AggregateCall {
  device: Uint8Array;
  period: bigint;
  count: bigint;
  sum: bigint;
  min: bigint;
  max: bigint;
  stateHash: Uint8Array;
}

/** The recordAggregate call in a voucher's payload, or undefined if the payload is not exactly one. */
export function decodeRecordAggregateCall(payload: Uint8Array): AggregateCall | undefined {
  if (payload.length !== 4 + 7 * 32 || !equalBytes(payload.subarray(0, 4), RECORD_AGGREGATE)) return undefined;
  const word = (i: number) => payload.subarray(4 + 32 * i, 4 + 32 * (i + 1));
  // Each ABI word must be the canonical padding of its type: zeros above an address or
  // uint64, the sign's copies above an int128 or int64.
  const unsigned = (w: Uint8Array, bytes: number): bigint | undefined =>
    w.subarray(0, 32 - bytes).some((b) => b !== 0) ? undefined : BigInt(toHex(w.subarray(32 - bytes)));
  const signed = (w: Uint8Array, bytes: number): bigint | undefined => {
    const value = BigInt(toHex(w));
    const asSigned = value >= 1n << 255n ? value - (1n << 256n) : value;
    const bound = 1n << BigInt(bytes * 8 - 1);
    return asSigned >= -bound && asSigned < bound ? asSigned : undefined;
  };
  const device = unsigned(word(0), 20);
  const period = unsigned(word(1), 8);
  const count = unsigned(word(2), 8);
  const sum = signed(word(3), 16);
  const min = signed(word(4), 8);
  const max = signed(word(5), 8);
  if (device === undefined || period === undefined || count === undefined) return undefined;
  if (sum === undefined || min === undefined || max === undefined) return undefined;
  return { device: word(0).slice(12), period, count, sum, min, max, stateHash: word(6).slice() };
}

/** recordAggregate(address device, uint64 period, uint64 count, int128 sum, int64 min, int64 max, bytes32 stateHash) */
export function encodeRecordAggregateCall(a: AggregateCall): Uint8Array {
  return call(RECORD_AGGREGATE, [
    addressWord(a.device),
    abiWord(a.period, 64, false),
    abiWord(a.count, 64, false),
    abiWord(a.sum, 128, true),
    abiWord(a.min, 64, true),
    abiWord(a.max, 64, true),
    a.stateHash,
  ]);
}

// ---- LcoreSettlement's address. ----

let initCodeBase: Uint8Array | null = null;
const addressCache = new Map<string, Uint8Array>();

/**
 * CREATE2 through the deterministic deployer with salt 0 of
 * lcoreSettlementBytecode || abi.encode(app): keccak256(0xff || deployer || salt || keccak256(initCode))[12:].
 */
export function settlementAddress(app: Uint8Array): Uint8Array {
  if (app.length !== 20) throw new RangeError("app must be 20 bytes");
  const key = Array.from(app, (b) => b.toString(16).padStart(2, "0")).join("");
  const hit = addressCache.get(key);
  if (hit !== undefined) return hit.slice();
  initCodeBase ??= fromHex(lcoreSettlementBytecode);
  const initCode = new Uint8Array(initCodeBase.length + 32);
  initCode.set(initCodeBase);
  initCode.set(app, initCodeBase.length + 12);
  const pre = new ByteWriter(85)
    .u8(0xff)
    .bytes(DETERMINISTIC_DEPLOYER, 20)
    .bytes(SETTLEMENT_SALT, 32)
    .bytes(keccak256(initCode), 32)
    .finish();
  const address = keccak256(pre).slice(12);
  addressCache.set(key, address);
  return address.slice();
}
