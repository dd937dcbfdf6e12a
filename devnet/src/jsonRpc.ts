// JSON-RPC 2.0 at /rpc with the cartesi_* methods of the rollups-node v2 (DESIGN §6), the same
// parameter names (by name or by position), 0x-hex integers, limit/offset pagination
// (default 50, capped at 10,000) and the same result shapes, error codes and messages.

import { getAddress, numberToHex } from "viem";
import {
  type ApiContext,
  APPLICATION_NAME_PATTERN,
  NODE_VERSION,
  checksummed,
  contextOf,
  isOurApplication,
  lower,
} from "./apiContext.js";
import { decodeEvmAdvance } from "./evmAdvance.js";
import { ADDRESS_PATTERN, type Hex, toQuantity } from "./hex.js";
import { decodeOutput } from "./outputs.js";
import type { EpochRow, EpochStatus, InputRow, OutputRow, OutputType, ReportRow } from "./store.js";

export const JSONRPC_RESOURCE_NOT_FOUND = -32001;
export const JSONRPC_INVALID_REQUEST = -32600;
export const JSONRPC_METHOD_NOT_FOUND = -32601;
export const JSONRPC_INVALID_PARAMS = -32602;
export const JSONRPC_INTERNAL_ERROR = -32603;

/** The real node's bounds: 1 MiB request bodies, lists of 50 by default and at most 10,000. */
export const JSONRPC_MAX_BODY_BYTES = 1 << 20;
export const LIST_ITEM_DEFAULT = 50;
export const LIST_ITEM_LIMIT = 10_000;
/** Calls in one batch request. */
export const JSONRPC_MAX_BATCH = 100;

const EPOCH_STATUSES: EpochStatus[] = [
  "OPEN",
  "CLOSED",
  "INPUTS_PROCESSED",
  "CLAIM_COMPUTED",
  "CLAIM_SUBMITTED",
  "CLAIM_ACCEPTED",
  "CLAIM_REJECTED",
];
const OUTPUT_TYPES: Record<string, OutputType> = {
  "0xc258d6e5": "Notice",
  "0x237a816f": "Voucher",
  "0x10321e8b": "DelegateCallVoucher",
};

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const invalidParams = (message = "Invalid parameters") => new RpcError(JSONRPC_INVALID_PARAMS, message);
const notFound = (what: string) => new RpcError(JSONRPC_RESOURCE_NOT_FOUND, `${what} not found`);

type Params = Record<string, unknown>;
type Kind = "string" | "optString" | "uint" | "bool";

/**
 * Read params given by name (object) or by position (array, in the order of the Go structs),
 * with Go's decoding rules: absent fields take zero values, a value of the wrong JSON type is
 * an error.
 */
function readParams(raw: unknown, spec: [name: string, kind: Kind][]): Params {
  let named: Params;
  if (raw === undefined || raw === null) named = {};
  else if (Array.isArray(raw)) {
    if (raw.length > spec.length) throw invalidParams();
    named = Object.fromEntries(raw.map((value, i) => [spec[i]![0], value]));
  } else if (typeof raw === "object") named = raw as Params;
  else throw invalidParams();
  const out: Params = {};
  for (const [name, kind] of spec) {
    const value = named[name];
    if (value === undefined || value === null) {
      out[name] = kind === "string" ? "" : kind === "uint" ? 0 : kind === "bool" ? false : undefined;
      continue;
    }
    const ok =
      kind === "bool"
        ? typeof value === "boolean"
        : kind === "uint"
          ? typeof value === "number" && Number.isInteger(value) && value >= 0
          : typeof value === "string";
    if (!ok) throw invalidParams();
    out[name] = value;
  }
  return out;
}

function checkApplication(p: Params): void {
  const app = p.application as string;
  if (!ADDRESS_PATTERN.test(app) && !APPLICATION_NAME_PATTERN.test(app)) {
    throw invalidParams("Invalid application identifier: invalid application name");
  }
}

function parseIndex(value: unknown, field: string): number {
  const s = String(value ?? "");
  if (s.length < 3 || !/^0[xX]/.test(s)) throw invalidParams(`invalid ${field}: expected hex encoded value`);
  if (!/^[0-9a-fA-F]{1,16}$/.test(s.slice(2))) throw invalidParams(`invalid ${field}: error parsing`);
  const n = BigInt(s);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  return Number(n);
}

/** Go's encoding/hex InvalidByteError text, e.g. "encoding/hex: invalid byte: U+0067 'g'". */
function goHexError(char: string): string {
  return `encoding/hex: invalid byte: U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(char).replace(/^"|"$/g, "'")}`;
}

function page(p: Params) {
  let limit = p.limit as number;
  if (limit <= 0) limit = LIST_ITEM_DEFAULT;
  if (limit > LIST_ITEM_LIMIT) limit = LIST_ITEM_LIMIT;
  return { limit, offset: p.offset as number, descending: p.descending as boolean };
}

const paginated = <T>(data: T[], total: number, pg: { limit: number; offset: number }) => ({
  data,
  pagination: { total_count: total, limit: pg.limit, offset: pg.offset },
});

// ---- result shapes (rollups-node internal/model and internal/jsonrpc/types.go) ----

export function applicationJson(ctx: ApiContext) {
  const { deployment, store } = ctx;
  const scanned = toQuantity(Math.max(store.lastScannedBlock(), 0));
  return {
    name: ctx.applicationName,
    iapplication_address: lower(deployment.application),
    iconsensus_address: lower(deployment.authority),
    iinputbox_address: lower(deployment.contracts.InputBox),
    template_hash: deployment.templateHash,
    epoch_length: toQuantity(deployment.epochLength),
    data_availability: deployment.dataAvailability,
    consensus_type: "AUTHORITY",
    state: "ENABLED",
    reason: null,
    iinputbox_block: toQuantity(deployment.deploymentBlock),
    last_epoch_check_block: scanned,
    last_input_check_block: scanned,
    last_output_check_block: scanned,
    last_tournament_check_block: "0x0",
    processed_inputs: toQuantity(ctx.processedInputCount()),
    created_at: ctx.createdAt,
    updated_at: ctx.createdAt,
    // A host-mode dApp runs no Cartesi machine: these are placeholders with the real shape.
    execution_parameters: {
      advance_inc_cycles: "0x0",
      advance_max_cycles: "0x0",
      inspect_inc_cycles: "0x0",
      inspect_max_cycles: "0x0",
      advance_inc_deadline: "0x0",
      advance_max_deadline: "0x0",
      inspect_inc_deadline: "0x0",
      inspect_max_deadline: "0x0",
      load_deadline: "0x0",
      store_deadline: "0x0",
      fast_deadline: "0x0",
      snapshot_policy: "NONE",
      max_concurrent_inspects: 1,
      created_at: ctx.createdAt,
      updated_at: ctx.createdAt,
    },
  };
}

export function inputJson(input: InputRow) {
  const decoded = decodeEvmAdvance(input.raw);
  return {
    epoch_index: toQuantity(input.epochIndex),
    index: toQuantity(input.index),
    block_number: toQuantity(input.blockNumber),
    raw_data: input.raw,
    status: input.status,
    machine_hash: null,
    outputs_hash: input.outputsHash,
    // InputBox inputs are referenced by their index as a 32-byte word.
    transaction_reference: numberToHex(input.index, { size: 32 }),
    created_at: input.createdAt,
    updated_at: input.updatedAt,
    decoded_data: {
      chain_id: toQuantity(decoded.chainId),
      application_contract: checksummed(decoded.appContract),
      sender: checksummed(decoded.msgSender),
      block_number: toQuantity(decoded.blockNumber),
      block_timestamp: toQuantity(decoded.blockTimestamp),
      prev_randao: toQuantity(BigInt(decoded.prevRandao)),
      index: toQuantity(decoded.index),
      payload: decoded.payload,
    },
  };
}

export function outputJson(output: OutputRow) {
  const decoded = decodeOutput(output.raw);
  let decodedData: unknown = null;
  if (decoded?.type === "Notice") decodedData = { type: "Notice", payload: decoded.payload };
  else if (decoded?.type === "Voucher")
    decodedData = {
      type: "Voucher",
      destination: getAddress(decoded.destination),
      value: toQuantity(decoded.value),
      payload: decoded.payload,
    };
  else if (decoded?.type === "DelegateCallVoucher")
    decodedData = {
      type: "DelegateCallVoucher",
      destination: getAddress(decoded.destination),
      payload: decoded.payload,
    };
  return {
    epoch_index: toQuantity(output.epochIndex),
    input_index: toQuantity(output.inputIndex),
    index: toQuantity(output.index),
    raw_data: output.raw,
    hash: output.hash,
    output_hashes_siblings: output.siblings,
    execution_transaction_hash: output.executionTxHash,
    created_at: output.createdAt,
    updated_at: output.updatedAt,
    decoded_data: decodedData,
  };
}

export function reportJson(report: ReportRow) {
  return {
    epoch_index: toQuantity(report.epochIndex),
    input_index: toQuantity(report.inputIndex),
    index: toQuantity(report.index),
    raw_data: report.payload,
    created_at: report.createdAt,
    updated_at: report.updatedAt,
  };
}

export function epochJson(epoch: EpochRow) {
  return {
    index: toQuantity(epoch.index),
    first_block: toQuantity(epoch.firstBlock),
    last_block: toQuantity(epoch.lastBlock),
    input_index_lower_bound: toQuantity(epoch.inputLower),
    input_index_upper_bound: toQuantity(epoch.inputUpper),
    machine_hash: null,
    outputs_merkle_root: epoch.outputsRoot,
    // Proofs of the root and the commitment belong to PRT epochs; an Authority's have none.
    outputs_merkle_proof: null,
    claim_transaction_hash: epoch.claimTxHash,
    commitment: null,
    commitment_proof: null,
    tournament_address: null,
    status: epoch.status,
    virtual_index: toQuantity(epoch.virtualIndex),
    created_at: epoch.createdAt,
    updated_at: epoch.updatedAt,
  };
}

// ---- methods ----

type Handler = (ctx: ApiContext, params: unknown) => unknown;

const APP: [string, Kind] = ["application", "string"];
const LIST: [string, Kind][] = [
  ["limit", "uint"],
  ["offset", "uint"],
  ["descending", "bool"],
];

/** For list methods the real node answers "Application not found" only when the list is empty. */
function appOr404(ctx: ApiContext, p: Params, empty: boolean): void {
  if (empty && !isOurApplication(ctx, p.application as string)) throw notFound("Application");
}

// ---- PRT (tournaments, commitments, matches) ----
// An Authority application has none of them. The real node checks the parameters as below, then
// asks its repository: lists come back empty (for any application: these handlers do not look
// the application up) and gets "<Thing> not found".

type PrtKind = "index" | "address" | "hash" | "bareHex";
/** [param name, kind, label in the error message, required]. */
type PrtParam = [name: string, kind: PrtKind, label: string, required: boolean];

const HASH_PATTERN = /^0x[0-9a-fA-F]{64}$/;

function checkPrtParams(p: Params, spec: PrtParam[]): void {
  checkApplication(p);
  for (const [name, kind, label, required] of spec) {
    const value = p[name] as string | undefined;
    if (value === undefined && !required) continue;
    const text = value ?? "";
    if (kind === "index") parseIndex(text, name);
    else if (kind === "address" && !ADDRESS_PATTERN.test(text))
      throw invalidParams(`Invalid ${label}: invalid address`);
    else if (kind === "hash" && !HASH_PATTERN.test(text)) throw invalidParams(`Invalid ${label}: invalid hash`);
    // The node decodes a commitment with Go's hex.DecodeString: bare hex, no 0x prefix.
    else if (kind === "bareHex") {
      const bad = text.match(/[^0-9a-fA-F]/)?.[0];
      if (bad !== undefined) throw invalidParams(`Invalid ${label}: ${goHexError(bad)}`);
      if (text.length % 2 === 1) throw invalidParams(`Invalid ${label}: encoding/hex: odd length hex string`);
    }
  }
}

const prtKinds = (spec: PrtParam[]): [string, Kind][] =>
  spec.map(([name, , , required]) => [name, required ? "string" : "optString"]);

function emptyPrtList(spec: PrtParam[]): Handler {
  return (_ctx, raw) => {
    const p = readParams(raw, [APP, ...prtKinds(spec), ...LIST]);
    const pg = page(p);
    checkPrtParams(p, spec);
    return paginated([], 0, pg);
  };
}

function prtNotFound(what: string, spec: PrtParam[]): Handler {
  return (_ctx, raw) => {
    checkPrtParams(readParams(raw, [APP, ...prtKinds(spec)]), spec);
    throw notFound(what);
  };
}

const EPOCH: PrtParam = ["epoch_index", "index", "epoch index", true];
const TOURNAMENT: PrtParam = ["tournament_address", "address", "tournament address", true];
const ID_HASH: PrtParam = ["id_hash", "hash", "ID hash", true];
const optional = ([name, kind, label]: PrtParam): PrtParam => [name, kind, label, false];

const methods: Record<string, Handler> = {
  cartesi_listApplications(ctx, raw) {
    const pg = page(readParams(raw, LIST));
    const all = ctx.fleet ?? [ctx];
    const ordered = pg.descending ? [...all].reverse() : all;
    const apps = ordered.slice(pg.offset, pg.offset + pg.limit).map(applicationJson);
    return paginated(apps, all.length, pg);
  },
  cartesi_getApplication(ctx, raw) {
    const p = readParams(raw, [APP]);
    checkApplication(p);
    if (!isOurApplication(ctx, p.application as string)) throw notFound("Application");
    return { data: applicationJson(ctx) };
  },
  cartesi_listEpochs(ctx, raw) {
    const p = readParams(raw, [APP, ["status", "optString"], ...LIST]);
    const pg = page(p);
    checkApplication(p);
    const status = p.status as string | undefined;
    if (status !== undefined && !EPOCH_STATUSES.includes(status as EpochStatus)) {
      throw invalidParams(`Invalid epoch status: invalid value '${status}' for EpochStatus enum`);
    }
    const result = isOurApplication(ctx, p.application as string)
      ? ctx.store.listEpochs(status === undefined ? {} : { status: status as EpochStatus }, pg)
      : { rows: [], total: 0 };
    appOr404(ctx, p, result.rows.length === 0);
    return paginated(result.rows.map(epochJson), result.total, pg);
  },
  cartesi_getEpoch(ctx, raw) {
    const p = readParams(raw, [APP, ["epoch_index", "string"]]);
    checkApplication(p);
    const index = parseIndex(p.epoch_index, "epoch_index");
    const epoch = isOurApplication(ctx, p.application as string) ? ctx.store.getEpoch(index) : undefined;
    if (!epoch) throw notFound("Epoch");
    return { data: epochJson(epoch) };
  },
  cartesi_getLastAcceptedEpochIndex(ctx, raw) {
    const p = readParams(raw, [APP]);
    checkApplication(p);
    const index = isOurApplication(ctx, p.application as string) ? ctx.store.lastAcceptedEpochIndex() : undefined;
    if (index === undefined) throw notFound("Epoch");
    return { data: toQuantity(index) };
  },
  cartesi_listInputs(ctx, raw) {
    const p = readParams(raw, [APP, ["epoch_index", "optString"], ["sender", "optString"], ...LIST]);
    const pg = page(p);
    checkApplication(p);
    const filter: { epochIndex?: number; sender?: Hex } = {};
    if (p.epoch_index !== undefined) filter.epochIndex = parseIndex(p.epoch_index, "epoch_index");
    if (p.sender !== undefined) {
      if (!ADDRESS_PATTERN.test(p.sender as string))
        throw invalidParams("Invalid input sender address: invalid address");
      filter.sender = p.sender as Hex;
    }
    const result = isOurApplication(ctx, p.application as string)
      ? ctx.store.listInputs(filter, pg)
      : { rows: [], total: 0 };
    appOr404(ctx, p, result.rows.length === 0);
    return paginated(result.rows.map(inputJson), result.total, pg);
  },
  cartesi_getInput(ctx, raw) {
    const p = readParams(raw, [APP, ["input_index", "string"]]);
    checkApplication(p);
    const index = parseIndex(p.input_index, "input_index");
    const input = isOurApplication(ctx, p.application as string) ? ctx.store.getInput(index) : undefined;
    if (!input) throw notFound("Input");
    return { data: inputJson(input) };
  },
  cartesi_getProcessedInputCount(ctx, raw) {
    const p = readParams(raw, [APP]);
    checkApplication(p);
    if (!isOurApplication(ctx, p.application as string)) throw notFound("Application");
    return { data: toQuantity(ctx.processedInputCount()) };
  },
  cartesi_listOutputs(ctx, raw) {
    const p = readParams(raw, [
      APP,
      ["epoch_index", "optString"],
      ["input_index", "optString"],
      ["output_type", "optString"],
      ["voucher_address", "optString"],
      ...LIST,
    ]);
    const pg = page(p);
    checkApplication(p);
    const filter: { epochIndex?: number; inputIndex?: number; types?: OutputType[]; destination?: Hex } = {};
    if (p.epoch_index !== undefined) filter.epochIndex = parseIndex(p.epoch_index, "epoch_index");
    if (p.input_index !== undefined) filter.inputIndex = parseIndex(p.input_index, "input_index");
    if (p.output_type !== undefined) {
      const raw = (p.output_type as string).replace(/^0[xX]/, "");
      if (raw.length !== 8) throw invalidParams("Invalid output type: invalid output type: expected exactly 4 bytes");
      // Eight characters that are not all hex fail in Go's hex.DecodeString, which names the byte.
      const bad = raw.match(/[^0-9a-fA-F]/)?.[0];
      if (bad !== undefined) throw invalidParams(`Invalid output type: ${goHexError(bad)}`);
      const type = OUTPUT_TYPES[`0x${raw.toLowerCase()}`];
      // An unknown selector matches no output.
      filter.types = type ? [type] : [];
    }
    if (p.voucher_address !== undefined) {
      if (!ADDRESS_PATTERN.test(p.voucher_address as string))
        throw invalidParams("Invalid voucher address: invalid address");
      filter.destination = p.voucher_address as Hex;
    }
    const result = isOurApplication(ctx, p.application as string)
      ? ctx.store.listOutputs(filter, pg)
      : { rows: [], total: 0 };
    appOr404(ctx, p, result.rows.length === 0);
    return paginated(result.rows.map(outputJson), result.total, pg);
  },
  cartesi_getOutput(ctx, raw) {
    const p = readParams(raw, [APP, ["output_index", "string"]]);
    checkApplication(p);
    const index = parseIndex(p.output_index, "output_index");
    const output = isOurApplication(ctx, p.application as string) ? ctx.store.getOutput(index) : undefined;
    if (!output) throw notFound("Output");
    return { data: outputJson(output) };
  },
  cartesi_listReports(ctx, raw) {
    const p = readParams(raw, [APP, ["epoch_index", "optString"], ["input_index", "optString"], ...LIST]);
    const pg = page(p);
    checkApplication(p);
    const filter: { epochIndex?: number; inputIndex?: number } = {};
    if (p.epoch_index !== undefined) filter.epochIndex = parseIndex(p.epoch_index, "epoch_index");
    if (p.input_index !== undefined) filter.inputIndex = parseIndex(p.input_index, "input_index");
    const result = isOurApplication(ctx, p.application as string)
      ? ctx.store.listReports(filter, pg)
      : { rows: [], total: 0 };
    appOr404(ctx, p, result.rows.length === 0);
    return paginated(result.rows.map(reportJson), result.total, pg);
  },
  cartesi_getReport(ctx, raw) {
    const p = readParams(raw, [APP, ["report_index", "string"]]);
    checkApplication(p);
    const index = parseIndex(p.report_index, "report_index");
    const report = isOurApplication(ctx, p.application as string) ? ctx.store.getReport(index) : undefined;
    if (!report) throw notFound("Report");
    return { data: reportJson(report) };
  },
  cartesi_listTournaments: emptyPrtList([
    optional(EPOCH),
    ["level", "index", "level", false],
    ["parent_tournament_address", "address", "parent tournament address", false],
    ["parent_match_id_hash", "hash", "parent match ID hash", false],
  ]),
  cartesi_getTournament: prtNotFound("Tournament", [["address", "address", "tournament address", true]]),
  cartesi_listCommitments: emptyPrtList([optional(EPOCH), optional(TOURNAMENT)]),
  cartesi_getCommitment: prtNotFound("Commitment", [
    EPOCH,
    TOURNAMENT,
    ["commitment", "bareHex", "commitment hex", true],
  ]),
  cartesi_listMatches: emptyPrtList([optional(EPOCH), optional(TOURNAMENT)]),
  cartesi_getMatch: prtNotFound("Match", [EPOCH, TOURNAMENT, ID_HASH]),
  cartesi_listMatchAdvances: emptyPrtList([EPOCH, TOURNAMENT, ID_HASH]),
  cartesi_getMatchAdvanced: prtNotFound("Match advanced", [
    EPOCH,
    TOURNAMENT,
    ID_HASH,
    ["parent", "hash", "parent hash", true],
  ]),
  cartesi_getChainId(ctx) {
    return { data: toQuantity(ctx.deployment.chainId) };
  },
  cartesi_getNodeVersion() {
    return { data: NODE_VERSION };
  },
  "rpc.discover"() {
    return {
      openrpc: "1.0.0",
      info: { title: "Cartesi Rollups Node API (lcore devnet)", version: NODE_VERSION },
      methods: Object.keys(methods)
        .filter((m) => m !== "rpc.discover")
        .map((name) => ({ name })),
    };
  },
};

/** Answer one JSON-RPC request object (or a batch); undefined for notifications without id. */
export async function handleJsonRpc(ctx: ApiContext, body: unknown): Promise<unknown> {
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > JSONRPC_MAX_BATCH) {
      return errorResponse(
        null,
        JSONRPC_INVALID_REQUEST,
        `Invalid request: a batch holds 1 to ${JSONRPC_MAX_BATCH} calls`,
      );
    }
    return Promise.all(body.map((call) => handleOne(ctx, call)));
  }
  return handleOne(ctx, body);
}

async function handleOne(ctx: ApiContext, call: unknown): Promise<unknown> {
  if (typeof call !== "object" || call === null || Array.isArray(call))
    return errorResponse(null, JSONRPC_INVALID_REQUEST, "Invalid request");
  const { method, params, id } = call as { method?: unknown; params?: unknown; id?: unknown };
  const replyId = id ?? null;
  const handler = typeof method === "string" && Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) return errorResponse(replyId, JSONRPC_METHOD_NOT_FOUND, "Method not found");
  try {
    // A node serving several applications answers each call with the one it names.
    // (by name, or positionally as the first parameter, which `application` is wherever it is taken).
    const named = Array.isArray(params)
      ? params[0]
      : (params as { application?: unknown } | null | undefined)?.application;
    const target = contextOf(ctx, named);
    return { jsonrpc: "2.0", result: await handler(target, params), id: replyId };
  } catch (err) {
    if (err instanceof RpcError) return errorResponse(replyId, err.code, err.message);
    // Like the real node, internal details stay in the log.
    return errorResponse(replyId, JSONRPC_INTERNAL_ERROR, "Internal server error");
  }
}

function errorResponse(id: unknown, code: number, message: string) {
  return { jsonrpc: "2.0", error: { code, message }, id };
}
