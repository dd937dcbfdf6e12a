// Inspect queries and answers. A query is a short UTF-8 path, so it can be typed by
// hand (curl the node's /inspect/<app> with the path as payload); the answer is one
// JSON report of at most MAX_INSPECT_REPORT_BYTES. 64-bit numbers are decimal strings
// and bytes 0x-hex, so JSON never rounds them.
//
//   state-hash
//   counters
//   device/<address>
//   record/<address>/<seq>
//   records/<address>?by=seq|time&from=<u64>&to=<u64>&limit=<1..100>&cursor=<cursor>
//   balances/<owner>          (wallet: the owner's non-zero balances by asset)
//   bounty/<id>               (a subset-sum bounty: problem, amount, deadline, status)
//
// `from` and `to` are inclusive bounds on seq (by=seq) or on the device timestamp
// (by=time); a page lists records in that order and `nextCursor` continues it.

import { DEFAULT_PAGE_RECORDS, MAX_INSPECT_QUERY_LENGTH, MAX_PAGE_RECORDS } from "./bounds.js";
import { U63_LIMIT, parseHex, toHex } from "./bytes.js";
import type { InspectError } from "./reasons.js";

export type InspectQuery =
  | { kind: "state_hash" }
  | { kind: "counters" }
  | { kind: "device"; device: Uint8Array }
  | { kind: "record"; device: Uint8Array; seq: bigint }
  | RecordsQuery
  | { kind: "balances"; owner: Uint8Array }
  | { kind: "submitters"; owner: Uint8Array }
  | { kind: "bounty"; id: bigint }
  | { kind: "period"; period: bigint };

export interface RecordsQuery {
  kind: "records";
  device: Uint8Array;
  by: "seq" | "time";
  from: bigint;
  to: bigint;
  limit: number;
  /** nextCursor of the previous page. */
  cursor?: string;
}

/** Largest value a 64-bit field may take in state (SQLite INTEGER is signed). */
export const MAX_STORED_U64 = U63_LIMIT - 1n;

export class InspectQueryError extends Error {
  override name = "InspectQueryError";
  constructor(
    readonly code: InspectError,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export function encodeInspectQuery(q: InspectQuery): Uint8Array {
  return new TextEncoder().encode(inspectPath(q));
}

export function inspectPath(q: InspectQuery): string {
  switch (q.kind) {
    case "state_hash":
      return "state-hash";
    case "counters":
      return "counters";
    case "device":
      return `device/${toHex(q.device)}`;
    case "record":
      return `record/${toHex(q.device)}/${q.seq}`;
    case "records": {
      let s = `records/${toHex(q.device)}?by=${q.by}&from=${q.from}&to=${q.to}&limit=${q.limit}`;
      if (q.cursor !== undefined) s += `&cursor=${q.cursor}`;
      return s;
    }
    case "balances":
      return `balances/${toHex(q.owner)}`;
    case "submitters":
      return `submitters/${toHex(q.owner)}`;
    case "bounty":
      return `bounty/${q.id}`;
    case "period":
      return `period/${q.period}`;
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;

/** A decimal u64 below 2^63, or null. */
export function parseStoredU64(s: string): bigint | null {
  if (!DECIMAL.test(s)) return null;
  const v = BigInt(s);
  return v <= MAX_STORED_U64 ? v : null;
}

function bad(detail: string): never {
  throw new InspectQueryError("bad_query", detail);
}

function address(s: string | undefined): Uint8Array {
  const b = s === undefined ? null : parseHex(s);
  if (b === null || b.length !== 20) bad("address must be 0x followed by 40 hex digits");
  return b;
}

function u64Param(name: string, s: string): bigint {
  const v = parseStoredU64(s);
  if (v === null) bad(`${name} must be a decimal integer below 2^63`);
  return v;
}

export function decodeInspectQuery(payload: Uint8Array): InspectQuery {
  if (payload.length > MAX_INSPECT_QUERY_LENGTH) bad(`query over ${MAX_INSPECT_QUERY_LENGTH} bytes`);
  let text: string;
  try {
    text = UTF8.decode(payload);
  } catch {
    bad("query is not UTF-8");
  }
  const q = text.indexOf("?");
  const path = (q < 0 ? text : text.slice(0, q)).split("/");
  const params = q < 0 ? null : text.slice(q + 1);
  const only = (kind: InspectQuery["kind"], segments: number) => {
    if (path.length !== segments) bad(`${kind} takes ${segments - 1} path segment(s)`);
    if (params !== null && kind !== "records") bad(`${kind} takes no parameters`);
  };
  switch (path[0]) {
    case "state-hash":
      only("state_hash", 1);
      return { kind: "state_hash" };
    case "counters":
      only("counters", 1);
      return { kind: "counters" };
    case "device":
      only("device", 2);
      return { kind: "device", device: address(path[1]) };
    case "record":
      only("record", 3);
      return { kind: "record", device: address(path[1]), seq: u64Param("seq", path[2]!) };
    case "records":
      only("records", 2);
      return recordsQuery(address(path[1]), params ?? "");
    case "balances":
      only("balances", 2);
      return { kind: "balances", owner: address(path[1]) };
    case "submitters":
      only("submitters", 2);
      return { kind: "submitters", owner: address(path[1]) };
    case "bounty":
      only("bounty", 2);
      return { kind: "bounty", id: u64Param("id", path[1]!) };
    case "period":
      only("period", 2);
      return { kind: "period", period: u64Param("period", path[1]!) };
    default:
      return bad(
        "unknown path; try state-hash, counters, device/<address>, record/<address>/<seq>, records/<address>?...",
      );
  }
}

function recordsQuery(device: Uint8Array, params: string): RecordsQuery {
  const query: RecordsQuery = {
    kind: "records",
    device,
    by: "seq",
    from: 0n,
    to: MAX_STORED_U64,
    limit: DEFAULT_PAGE_RECORDS,
  };
  const seen: string[] = [];
  for (const pair of params === "" ? [] : params.split("&")) {
    const eq = pair.indexOf("=");
    if (eq < 0) bad(`parameter ${pair.slice(0, 20)} has no value`);
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (seen.includes(name)) bad(`parameter ${name} given twice`);
    seen.push(name);
    switch (name) {
      case "by":
        if (value !== "seq" && value !== "time") bad("by must be seq or time");
        query.by = value;
        break;
      case "from":
        query.from = u64Param("from", value);
        break;
      case "to":
        query.to = u64Param("to", value);
        break;
      case "limit": {
        const n = parseStoredU64(value);
        if (n === null || n < 1n || n > BigInt(MAX_PAGE_RECORDS)) bad(`limit must be 1..${MAX_PAGE_RECORDS}`);
        query.limit = Number(n);
        break;
      }
      case "cursor":
        query.cursor = value;
        break;
      default:
        bad(`unknown parameter ${name.slice(0, 20)}`);
    }
  }
  return query;
}

// ---- Answers (JSON). The gateway and users type their reads with these. ----

export interface DeviceInfo {
  device: `0x${string}`;
  owner: `0x${string}`;
  /** x || y. */
  publicKey: `0x${string}`;
  metadata: `0x${string}`;
  status: "active" | "revoked";
  /** Owner operations so far; a rotation or revocation permit must carry this value. */
  nonce: string;
  registeredInput: string;
  registeredAt: string;
  updatedInput: string;
  /** Last accepted seq, null before the first record. */
  lastSeq: string | null;
  records: string;
  /** Only for a device of another format (PROTOCOL §12): its format's name, value field and scale. */
  format?: string;
  valueField?: string;
  scale?: number;
}

export interface RecordInfo {
  device: `0x${string}`;
  seq: string;
  timestamp: string;
  bodyHash: `0x${string}`;
  signature: `0x${string}`;
  sealed: `0x${string}`;
  recordHash: `0x${string}`;
  /** The input that carried the record. */
  inputIndex: string;
}

export interface RecordsPage {
  device: `0x${string}`;
  by: "seq" | "time";
  records: RecordInfo[];
  /** Pass as `cursor` for the next page; null when the range is exhausted. */
  nextCursor: string | null;
}

export interface Counters {
  devices: string;
  activeDevices: string;
  revokedDevices: string;
  records: string;
  batches: string;
  skippedRecords: string;
  /** Index of the last accepted input, null before the first. */
  lastInputIndex: string | null;
}

export interface StateHashInfo {
  stateHash: `0x${string}`;
  devicesHash: `0x${string}`;
  recordsHash: `0x${string}`;
  devices: string;
  records: string;
  /** PROTOCOL §8.5 (v2: over the balances and bounties trees); null before the first balance or bounty. */
  walletHash?: `0x${string}` | null;
  /** PROTOCOL §5 (v2: over the submitters tree); null before the first submitter grant. */
  submittersHash?: `0x${string}` | null;
}

/** balances/<owner>: amounts are decimal uint256 strings; at most MAX_BALANCES_LISTED assets, `truncated` if more. */
export interface BalancesInfo {
  owner: `0x${string}`;
  balances: { asset: `0x${string}`; amount: string }[];
  truncated: boolean;
}
export const MAX_BALANCES_LISTED = 256;

/** submitters/<owner>: the accounts besides the owner whose batches may carry its devices' records (PROTOCOL §3.6), by address; at most MAX_SUBMITTERS_PER_OWNER. */
export interface SubmittersInfo {
  owner: `0x${string}`;
  submitters: { submitter: `0x${string}`; grantedInput: string }[];
}

/** period/<settlement period>: a settled period as the state keeps it (PROTOCOL §9, §11). */
export interface SettledPeriodInfo {
  period: string;
  firstRecord: string;
  recordCount: string;
  recordsRoot: `0x${string}`;
  stateHash: `0x${string}`;
  settledInput: string;
  /** Its records left the state: read them from the chain, prove them against recordsRoot. */
  pruned: boolean;
}

/** bounty/<id>: the problem a solver needs, and where the bounty stands. */
export interface BountyInfo {
  id: string;
  requester: `0x${string}`;
  /** The token, or 0x0…0 for Ether. */
  asset: `0x${string}`;
  amount: string;
  tier: number;
  elements: string[];
  target: string;
  deadline: string;
  status: "open" | "paid" | "refunded";
  solver: `0x${string}` | null;
  openedInput: string;
  closedInput: string | null;
}

export interface InspectFailure {
  error: InspectError;
  detail: string;
}
