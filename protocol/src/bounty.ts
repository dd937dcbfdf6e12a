// Subset-sum bounties' byte formats (PROTOCOL §Bounties): the bounty a deposit's
// execLayerData carries, the solution (0x30) and refund-claim (0x31) inputs, the
// bounty notice (0xb0), and the deterministic problem generator for seeded bounties.
//
//   bounty (execLayerData of a portal deposit)
//     = 0x30 0x01 deadline(u64) mode(u8) body
//       mode 0, explicit: tier(u8) count(u8) element(i64) × count target(i64)
//       mode 1, seeded:   tier(u8) seed(32)
//   solution     = 0x30 0x01 bountyId(u64) count(u8) index(u32) × count      count ≤ 32
//   refund claim = 0x31 0x01 bountyId(u64)
//   bounty notice = 0xb0 0x01 stateHash(32) bountyId(u64) event(u8) party(20) asset(20) amount(32) deadline(u64)
//       event 0 opened (party = requester), 1 paid (party = solver), 2 refunded (party = requester)
//
// i64 values are two's complement, big-endian. Tiers bound the element count as in
// DESIGN §4: 1: 8-12, 2: 12-16, 3: 16-20, 4: 20-24, 5: 24-32.

import { keccak256 } from "@lcore/wasm-core";
import { ByteReader, ByteWriter, ascii, u32Bytes } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";
import { readU256, u256Bytes } from "./wallet.js";

/** The bounty marker: execLayerData starting with it is a bounty (the BountySolution kind byte). */
export const BOUNTY_TAG = 0x30;
export const BountyNoticeKind = { Bounty: 0xb0 } as const;
/** The refund claim; 0x30 is the solution. */
export const BOUNTY_REFUND_KIND = 0x31;
export const MAX_SOLUTION_INDICES = 32;

/** Element count bounds per tier (index = tier). */
export const TIER_SIZES: readonly (readonly [number, number])[] = [
  [0, 0],
  [8, 12],
  [12, 16],
  [16, 20],
  [20, 24],
  [24, 32],
];

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64 = 1n << 64n;

/** Why a deposit's bounty was not opened (the deposit is credited to the depositor's balance instead). */
export const BOUNTY_REFUSALS = [
  "bad_bounty", //        execLayerData is not a well-formed bounty (detail: the decode reason)
  "bad_problem", //       tier not 1..5, or the element count outside the tier's range
  "deadline_passed", //   deadline ≤ block_timestamp, or ≥ 2^63
  "zero_amount", //       a bounty of nothing
] as const;
export type BountyRefusal = (typeof BOUNTY_REFUSALS)[number];

export interface SubsetSumProblemSpec {
  tier: number;
  elements: bigint[];
  target: bigint;
}

export type BountySpec =
  | { mode: "explicit"; deadline: bigint; problem: SubsetSumProblemSpec }
  | { mode: "seeded"; deadline: bigint; tier: number; seed: Uint8Array };

export interface BountySolution {
  kind: "bounty_solution";
  bountyId: bigint;
  indices: number[];
}

export interface BountyRefundClaim {
  kind: "bounty_refund";
  bountyId: bigint;
}

function readI64(r: ByteReader, what: string): bigint {
  const v = r.u64(what);
  return v > I64_MAX ? v - U64 : v;
}

function i64Word(v: bigint): bigint {
  if (v < I64_MIN || v > I64_MAX) throw new RangeError(`i64 out of range: ${String(v)}`);
  return v < 0n ? v + U64 : v;
}

function readU32(r: ByteReader, what: string): number {
  const b = r.take(4, what);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Decode a deposit's execLayerData as a bounty; a DecodeError if it is not one. */
export function decodeBountySpec(data: Uint8Array): BountySpec {
  const r = new ByteReader(data);
  const tag = r.u8("bounty tag");
  if (tag !== BOUNTY_TAG)
    throw new DecodeError("unknown_kind", `execLayerData tag 0x${tag.toString(16).padStart(2, "0")} is not a bounty`);
  const version = r.u8("bounty version");
  if (version !== VERSION_1) throw new DecodeError("unsupported_version", `bounty version ${version}`);
  const deadline = r.u64("deadline");
  const mode = r.u8("bounty mode");
  const tier = r.u8("tier");
  if (mode === 0) {
    const count = r.u8("element count");
    const elements: bigint[] = [];
    for (let i = 0; i < count; i++) elements.push(readI64(r, "element"));
    const target = readI64(r, "target");
    r.end("bounty");
    return { mode: "explicit", deadline, problem: { tier, elements, target } };
  }
  if (mode === 1) {
    const seed = r.take(32, "seed").slice();
    r.end("bounty");
    return { mode: "seeded", deadline, tier, seed };
  }
  throw new DecodeError("unknown_kind", `bounty mode ${mode}`);
}

export function encodeBountySpec(s: BountySpec): Uint8Array {
  const w = new ByteWriter(64).u8(BOUNTY_TAG).u8(VERSION_1).u64(s.deadline);
  if (s.mode === "explicit") {
    w.u8(0).u8(s.problem.tier).u8(s.problem.elements.length);
    for (const e of s.problem.elements) w.u64(i64Word(e));
    w.u64(i64Word(s.problem.target));
  } else {
    w.u8(1).u8(s.tier).bytes(s.seed, 32);
  }
  return w.finish();
}

/** Whether `count` elements fit `tier` (DESIGN §4). */
export function tierAllows(tier: number, count: number): boolean {
  const range = TIER_SIZES[tier];
  return tier >= 1 && tier <= 5 && range !== undefined && count >= range[0] && count <= range[1];
}

// ---- The generator. ----

const GENERATOR_TAG = ascii("lcore/v1/subset-sum");
/** Generated elements lie in [-2^40, 2^40): a sum of ≤ 32 of them cannot overflow i64. */
const ELEMENT_SPAN = 1n << 41n;
const ELEMENT_OFFSET = 1n << 40n;

function block(seed: Uint8Array, label: number, i: number): Uint8Array {
  return keccak256(
    new ByteWriter(19 + 1 + 32 + 4).bytes(GENERATOR_TAG).u8(label).bytes(seed, 32).bytes(u32Bytes(i)).finish(),
  );
}

function be64(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/**
 * The seeded problem (PROTOCOL §Bounties): H(label, i) = keccak256("lcore/v1/subset-sum" || label(u8) || seed(32) || i(u32));
 * count = lo + H(0,0)[0] mod (hi − lo + 1) for the tier's [lo, hi];
 * element i = (first 8 bytes of H(1,i) as u64) mod 2^41 − 2^40;
 * the planted subset holds index i when bit (i mod 8) of byte ⌊i/8⌋ of H(2,0) is set (index 0 if none is);
 * target = the sum of the planted subset's elements.
 */
export function generateProblem(tier: number, seed: Uint8Array): SubsetSumProblemSpec & { planted: number[] } {
  const range = TIER_SIZES[tier];
  if (tier < 1 || tier > 5 || range === undefined) throw new RangeError(`tier ${tier}`);
  if (seed.length !== 32) throw new RangeError("seed takes 32 bytes");
  const [lo, hi] = range;
  const count = lo + (block(seed, 0, 0)[0]! % (hi - lo + 1));
  const elements: bigint[] = [];
  for (let i = 0; i < count; i++) elements.push((be64(block(seed, 1, i)) % ELEMENT_SPAN) - ELEMENT_OFFSET);
  const mask = block(seed, 2, 0);
  const planted: number[] = [];
  for (let i = 0; i < count; i++) if (((mask[i >> 3]! >> (i & 7)) & 1) === 1) planted.push(i);
  if (planted.length === 0) planted.push(0);
  let target = 0n;
  for (const i of planted) target += elements[i]!;
  return { tier, elements, target, planted };
}

// ---- Inputs 0x30 and 0x31. ----

export function readBountySolution(r: ByteReader): BountySolution {
  const bountyId = r.u64("bounty id");
  const count = r.u8("index count");
  if (count > MAX_SOLUTION_INDICES) throw new DecodeError("bad_count", `${count} indices over ${MAX_SOLUTION_INDICES}`);
  const indices: number[] = [];
  for (let i = 0; i < count; i++) indices.push(readU32(r, "index"));
  r.end("bounty solution");
  return { kind: "bounty_solution", bountyId, indices };
}

export function readBountyRefundClaim(r: ByteReader): BountyRefundClaim {
  const bountyId = r.u64("bounty id");
  r.end("bounty refund claim");
  return { kind: "bounty_refund", bountyId };
}

export function encodeBountySolution(p: { bountyId: bigint; indices: number[] }): Uint8Array {
  if (p.indices.length > MAX_SOLUTION_INDICES) throw new RangeError(`over ${MAX_SOLUTION_INDICES} indices`);
  const w = new ByteWriter(11 + 4 * p.indices.length)
    .u8(InputKind.BountySolution)
    .u8(VERSION_1)
    .u64(p.bountyId)
    .u8(p.indices.length);
  for (const i of p.indices) w.u32(i);
  return w.finish();
}

export function encodeBountyRefundClaim(p: { bountyId: bigint }): Uint8Array {
  return new ByteWriter(10).u8(BOUNTY_REFUND_KIND).u8(VERSION_1).u64(p.bountyId).finish();
}

// ---- The bounty notice. ----

export const BOUNTY_EVENTS = ["opened", "paid", "refunded"] as const;
export type BountyEvent = (typeof BOUNTY_EVENTS)[number];

export interface BountyNotice {
  kind: "bounty";
  stateHash: Uint8Array;
  bountyId: bigint;
  event: BountyEvent;
  party: Uint8Array;
  asset: Uint8Array;
  amount: bigint;
  deadline: bigint;
}

export function encodeBountyNotice(n: Omit<BountyNotice, "kind">): Uint8Array {
  return new ByteWriter(131)
    .u8(BountyNoticeKind.Bounty)
    .u8(VERSION_1)
    .bytes(n.stateHash, 32)
    .u64(n.bountyId)
    .u8(BOUNTY_EVENTS.indexOf(n.event))
    .bytes(n.party, 20)
    .bytes(n.asset, 20)
    .bytes(u256Bytes(n.amount))
    .u64(n.deadline)
    .finish();
}

export function decodeBountyNotice(bytes: Uint8Array): BountyNotice {
  const r = new ByteReader(bytes);
  const kind = r.u8("notice kind");
  if (kind !== BountyNoticeKind.Bounty)
    throw new DecodeError("unknown_kind", `notice kind 0x${kind.toString(16).padStart(2, "0")}`);
  const version = r.u8("notice version");
  if (version !== VERSION_1) throw new DecodeError("unsupported_version", `notice version ${version}`);
  const stateHash = r.take(32, "state hash").slice();
  const bountyId = r.u64("bounty id");
  const e = r.u8("event");
  const event = BOUNTY_EVENTS[e];
  if (event === undefined) throw new DecodeError("unknown_kind", `bounty event ${e}`);
  const n: BountyNotice = {
    kind: "bounty",
    stateHash,
    bountyId,
    event,
    party: r.take(20, "party").slice(),
    asset: r.take(20, "asset").slice(),
    amount: readU256(r, "amount"),
    deadline: r.u64("deadline"),
  };
  r.end("bounty notice");
  return n;
}
