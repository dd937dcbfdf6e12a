// The dApp's reports (PROTOCOL §4.2): UTF-8 JSON, one object each, whose `type` says which
// of the bodies below it is. The dApp writes them with `encodeReport`; readers (the
// gateway's follower, `lcore decode`) parse them with `parseReport`, which checks every
// field, so a report that is not one of these reads as `undefined`, never as a cast.
// Keys are written in the order the types list them: the bytes are part of the outputs
// a replay compares.

import { type BountyRefusal, BOUNTY_REFUSALS } from "./bounty.js";
import { type RejectReason, REJECT_REASONS, type SkipReason, SKIP_REASONS } from "./reasons.js";

type Hex = `0x${string}`;

/** The record a rejection is about: which copy, since only the accepted one is in the state. */
export interface RejectedRecord {
  device: Hex;
  seq: string;
  /** keccak256 of the record's wire bytes (PROTOCOL §3.5). */
  recordHash: Hex;
}

/** The input was rejected (then the node reverts it); integers are decimal strings. */
export interface RejectedReport {
  type: "rejected";
  input: string;
  reason: RejectReason;
  detail: string;
  record?: RejectedRecord;
}

/** One record of an accepted batch that was skipped, by its place in the batch. */
export interface SkippedRecord {
  index: number;
  device: Hex;
  seq: string;
  reason: SkipReason;
}

export interface SkippedReport {
  type: "skipped";
  input: string;
  records: SkippedRecord[];
}

/** A portal deposit that asked for a bounty the dApp refused; the deposit went to the wallet. */
export interface BountyRefusedReport {
  type: "bounty_refused";
  input: string;
  reason: BountyRefusal;
  detail: string;
}

/** One part of a pruned day's disclosure was taken; the day completes with the last part. */
export interface DisclosurePartReport {
  type: "disclosure_part";
  input: string;
  device: Hex;
  /** The disclosure period (a day number, §10), a JSON number as in the input. */
  period: number;
  disclosed: string;
  pruned: string;
}

export type Report = RejectedReport | SkippedReport | BountyRefusedReport | DisclosurePartReport;

export function encodeReport(report: Report): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(report));
}

const DECIMAL = /^\d{1,20}$/;
const hexOf = (bytes: number) => new RegExp(`^0x[0-9a-fA-F]{${2 * bytes}}$`);
const ADDRESS = hexOf(20);
const HASH = hexOf(32);

const isDecimal = (v: unknown): v is string => typeof v === "string" && DECIMAL.test(v);
const isAddress = (v: unknown): v is Hex => typeof v === "string" && ADDRESS.test(v);
const isHash = (v: unknown): v is Hex => typeof v === "string" && HASH.test(v);
const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === "string" && (list as readonly string[]).includes(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isRejectedRecord(v: unknown): v is RejectedRecord {
  return isObject(v) && isAddress(v.device) && isDecimal(v.seq) && isHash(v.recordHash);
}

function isSkippedRecord(v: unknown): v is SkippedRecord {
  return (
    isObject(v) &&
    Number.isSafeInteger(v.index) &&
    (v.index as number) >= 0 &&
    isAddress(v.device) &&
    isDecimal(v.seq) &&
    isOneOf(SKIP_REASONS, v.reason)
  );
}

/** The report these bytes hold, or undefined if they are not one of the dApp's reports. */
export function parseReport(payload: Uint8Array): Report | undefined {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return undefined;
  }
  if (!isObject(body) || !isDecimal(body.input)) return undefined;
  switch (body.type) {
    case "rejected":
      if (!isOneOf(REJECT_REASONS, body.reason) || typeof body.detail !== "string") return undefined;
      if (body.record !== undefined && !isRejectedRecord(body.record)) return undefined;
      return body as unknown as RejectedReport;
    case "skipped":
      return Array.isArray(body.records) && body.records.every(isSkippedRecord)
        ? (body as unknown as SkippedReport)
        : undefined;
    case "bounty_refused":
      return isOneOf(BOUNTY_REFUSALS, body.reason) && typeof body.detail === "string"
        ? (body as unknown as BountyRefusedReport)
        : undefined;
    case "disclosure_part":
      return isAddress(body.device) &&
        Number.isSafeInteger(body.period) &&
        isDecimal(body.disclosed) &&
        isDecimal(body.pruned)
        ? (body as unknown as DisclosurePartReport)
        : undefined;
    default:
      return undefined;
  }
}
