// The rollup HTTP API a dApp talks to (specs/rollup-http-api.yaml), served on the host and
// driven programmatically: `advance` and `inspect` queue requests, the dApp pulls them with
// POST /finish, one at a time and strictly in order, exactly as inside the Cartesi machine.
//
// Status codes and texts follow the real server (cartesi/machine-guest-tools,
// rollup-http-server): 200 with the next request from /finish, 202 from /finish when nothing
// is pending after the hold time, 201 {"index"} from /notice, /voucher and
// /delegate-call-voucher, 202 from /report and /exception, 400 with a text reason for a bad
// request, 413 for a body over the size bound.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { InvalidArgumentError, RollupServerClosedError } from "./errors.js";
import { HASH_PATTERN, type Hex, hexByteLength, isAddress, isBytesHex, UINT256_PATTERN } from "./hex.js";
import { BodyTooLargeError, closeServer, listen, readBody } from "./http.js";
import { encodeDelegateCallVoucher, encodeNotice, encodeVoucher } from "./outputs.js";
import type {
  AdvanceMetadata,
  DelegateCallVoucherBody,
  ExceptionBody,
  FinishStatus,
  IndexResponse,
  NoticeBody,
  ReportBody,
  RollupRequest,
  VoucherBody,
} from "./rollupHttpApi.js";

export type { AdvanceMetadata };

export interface AdvanceResult {
  status: "ACCEPTED" | "REJECTED" | "EXCEPTION";
  /** ABI-encoded Notice / Voucher / DelegateCallVoucher calls, in order; empty unless ACCEPTED. */
  outputs: `0x${string}`[];
  /** Report payloads, kept whatever the status. */
  reports: `0x${string}`[];
  exception?: `0x${string}`;
}

export interface InspectResult {
  status: "ACCEPTED" | "REJECTED" | "EXCEPTION";
  reports: `0x${string}`[];
  exception?: `0x${string}`;
}

/** The rollup HTTP server a dApp talks to, driven programmatically. */
export interface RollupHttpServer {
  /** e.g. http://127.0.0.1:5004 ; becomes the dApp's ROLLUP_HTTP_SERVER_URL */
  url: string;
  /** Queue an advance-state request; resolves when the dApp calls /finish (or /exception) for it. */
  advance(metadata: AdvanceMetadata, payload: `0x${string}`): Promise<AdvanceResult>;
  /** Queue an inspect-state request; resolves when the dApp calls /finish (or /exception) for it. */
  inspect(payload: `0x${string}`): Promise<InspectResult>;
  /**
   * Start over for a new dApp process (the node restarted the dApp): every request queued or in
   * progress rejects with `reason`, a /finish still held is answered 202, and output indices
   * count from 0 again.
   */
  reset(reason: Error): void;
  /** Stop listening; queued and in-progress requests reject with RollupServerClosedError. */
  close(): Promise<void>;
}

export interface RollupHttpServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5004, the port dApps expect; 0 picks a free port. */
  port?: number;
  /**
   * How long POST /finish waits for a request before answering 202 (the spec's host-mode
   * behaviour, 10 s by default). Tests shorten it.
   */
  finishTimeoutMs?: number;
}

/** The real server's JSON body limit (actix JsonConfig 5 << 20). */
export const MAX_REQUEST_BODY_BYTES = 5 * 1024 * 1024;
/** The machine's CMIO buffers are 2 MiB: one request payload, one encoded output or one report must fit. */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/** Bound on what one request may accumulate in memory (outputs + reports). */
export const MAX_REQUEST_ACCUMULATED_BYTES = 64 * 1024 * 1024;
/** Bound on the number of outputs plus reports one request may emit. */
export const MAX_REQUEST_ITEMS = 65_536;
/** Bound on requests queued behind the one the dApp is processing. */
export const MAX_QUEUED_REQUESTS = 1024;

const DEFAULT_PORT = 5004;
const DEFAULT_FINISH_TIMEOUT_MS = 10_000;

type Queued =
  | {
      kind: "advance";
      metadata: AdvanceMetadata;
      payload: Hex;
      resolve: (r: AdvanceResult) => void;
      reject: (e: Error) => void;
    }
  | { kind: "inspect"; payload: Hex; resolve: (r: InspectResult) => void; reject: (e: Error) => void };

interface Active {
  request: Queued;
  outputs: Hex[];
  reports: Hex[];
  bytes: number;
}

/** A 400/413 answer with a text reason, raised while handling one HTTP request. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startRollupHttpServer(opts: RollupHttpServerOptions = {}): Promise<RollupHttpServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? DEFAULT_PORT;
  const finishTimeoutMs = opts.finishTimeoutMs ?? DEFAULT_FINISH_TIMEOUT_MS;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`port must be 0..65535, got ${port}`);
  if (!Number.isInteger(finishTimeoutMs) || finishTimeoutMs < 1)
    throw new InvalidArgumentError("finishTimeoutMs must be a positive integer");

  const requests = new RequestQueue(finishTimeoutMs);
  const server = createServer((req, res) => handleHttpRequest(requests, req, res));
  const url = await listen(server, host, port);
  return {
    url,
    async advance(metadata, payload) {
      checkMetadata(metadata);
      checkRequestPayload(payload);
      return new Promise<AdvanceResult>((resolve, reject) =>
        requests.enqueue({ kind: "advance", metadata, payload, resolve, reject }),
      );
    },
    async inspect(payload) {
      checkRequestPayload(payload);
      return new Promise<InspectResult>((resolve, reject) =>
        requests.enqueue({ kind: "inspect", payload, resolve, reject }),
      );
    },
    reset(reason) {
      requests.reset(reason);
    },
    async close() {
      if (!requests.close()) return;
      await closeServer(server);
    },
  };
}

/**
 * The requests of one server: those queued, the one the dApp is processing with what it has
 * emitted so far, and the dApp's POST /finish waiting for the next one.
 */
class RequestQueue {
  private readonly queue: Queued[] = [];
  private active: Active | undefined;
  /** The dApp's pending POST /finish, if it is waiting for a request. */
  private waiting: { res: ServerResponse; timer: NodeJS.Timeout } | undefined;
  /** Outputs of every accepted advance so far: the base of the global output index. */
  private acceptedOutputCount = 0;
  private closed = false;

  constructor(private readonly finishTimeoutMs: number) {}

  enqueue(request: Queued): void {
    if (this.closed) {
      request.reject(new RollupServerClosedError());
      return;
    }
    if (this.queue.length >= MAX_QUEUED_REQUESTS) {
      request.reject(new InvalidArgumentError(`more than ${MAX_QUEUED_REQUESTS} requests queued for the dApp`));
      return;
    }
    this.queue.push(request);
    this.dispatch();
  }

  /** Resolve the request in progress, if any, with what it emitted. */
  complete(status: "ACCEPTED" | "REJECTED" | "EXCEPTION", exception?: Hex): void {
    const current = this.active;
    if (!current) return;
    this.active = undefined;
    const { request } = current;
    if (request.kind === "advance") {
      const accepted = status === "ACCEPTED";
      if (accepted) this.acceptedOutputCount += current.outputs.length;
      const result: AdvanceResult = { status, outputs: accepted ? current.outputs : [], reports: current.reports };
      if (exception !== undefined) result.exception = exception;
      request.resolve(result);
    } else {
      const result: InspectResult = { status, reports: current.reports };
      if (exception !== undefined) result.exception = exception;
      request.resolve(result);
    }
  }

  /** Hold a POST /finish until a request comes (answered 200) or the hold time passes (202). */
  awaitNext(res: ServerResponse): void {
    if (this.waiting) {
      // A second /finish while one waits: the first one's client has given up on it.
      clearTimeout(this.waiting.timer);
      answer(this.waiting.res, 202, "no rollup request available");
    }
    const timer = setTimeout(() => {
      if (this.waiting?.res === res) this.waiting = undefined;
      answer(res, 202, "no rollup request available");
    }, this.finishTimeoutMs);
    this.waiting = { res, timer };
    res.on("close", () => {
      if (this.waiting?.res === res) {
        clearTimeout(this.waiting.timer);
        this.waiting = undefined;
      }
    });
    this.dispatch();
  }

  /** Keep an output or a report of the request in progress; an output's global index, a report's own. */
  record(kind: "output" | "report", value: Hex): number {
    const current = this.active!;
    const size = hexByteLength(value);
    if (current.outputs.length + current.reports.length >= MAX_REQUEST_ITEMS) {
      throw new BadRequest(`too many outputs and reports for one request (limit ${MAX_REQUEST_ITEMS})`);
    }
    if (current.bytes + size > MAX_REQUEST_ACCUMULATED_BYTES) {
      throw new BadRequest(`outputs and reports of one request exceed ${MAX_REQUEST_ACCUMULATED_BYTES} bytes`);
    }
    current.bytes += size;
    if (kind === "report") {
      current.reports.push(value);
      return current.reports.length - 1;
    }
    current.outputs.push(value);
    return this.acceptedOutputCount + current.outputs.length - 1;
  }

  requireActive(what: string, advanceOnly: boolean): void {
    if (!this.active) throw new BadRequest(`cannot ${what}: no rollup request is being processed`);
    if (advanceOnly && this.active.request.kind !== "advance")
      throw new BadRequest(`cannot ${what} while processing an inspect request`);
  }

  /** Reject every request queued or in progress; false if already closed. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.dropAll(new RollupServerClosedError(), false);
    return true;
  }

  /** For a new dApp: reject what is queued or in progress, release a held /finish, count outputs from 0. */
  reset(reason: Error): void {
    this.dropAll(reason, true);
    this.acceptedOutputCount = 0;
  }

  private dropAll(reason: Error, releaseHeld: boolean): void {
    if (this.active) this.active.request.reject(reason);
    this.active = undefined;
    for (const request of this.queue.splice(0)) request.reject(reason);
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      if (releaseHeld) answer(this.waiting.res, 202, "no rollup request available");
      this.waiting = undefined;
    }
  }

  /** Hand the next queued request to the waiting /finish, if both exist. */
  private dispatch(): void {
    if (this.waiting?.res.destroyed) {
      // The dApp that held this /finish is gone (its connection closed): nobody would get the request.
      clearTimeout(this.waiting.timer);
      this.waiting = undefined;
    }
    if (!this.waiting || this.active || this.queue.length === 0) return;
    const { res, timer } = this.waiting;
    this.waiting = undefined;
    clearTimeout(timer);
    const request = this.queue.shift()!;
    this.active = { request, outputs: [], reports: [], bytes: 0 };
    answerJson(res, 200, requestBody(request));
  }
}

function requestBody(request: Queued): RollupRequest {
  if (request.kind === "inspect") return { request_type: "inspect_state", data: { payload: request.payload } };
  const m = request.metadata;
  // Field order and lowercase hex as the real server serialises libcmt's metadata.
  return {
    request_type: "advance_state",
    data: {
      metadata: {
        chain_id: m.chain_id,
        app_contract: m.app_contract.toLowerCase() as Hex,
        msg_sender: m.msg_sender.toLowerCase() as Hex,
        block_number: m.block_number,
        block_timestamp: m.block_timestamp,
        prev_randao: m.prev_randao.toLowerCase() as Hex,
        input_index: m.input_index,
      },
      payload: request.payload,
    },
  };
}

const KNOWN_PATHS = new Set([
  "/finish",
  "/notice",
  "/voucher",
  "/delegate-call-voucher",
  "/report",
  "/exception",
  "/gio",
]);

function handleHttpRequest(requests: RequestQueue, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (!KNOWN_PATHS.has(path)) return answer(res, 404, "not found");
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return answer(res, 405, "method not allowed");
  }
  readJsonBody(req)
    .then((body) => route(requests, path, body, res))
    .catch((err: unknown) => {
      if (err instanceof BadRequest) return answer(res, err.status, err.message);
      answer(res, 500, "internal error");
    });
}

function route(requests: RequestQueue, path: string, body: Record<string, unknown>, res: ServerResponse): void {
  switch (path) {
    case "/finish": {
      const status = finishStatus(body);
      // The status finishes the request in progress; with none (the first call, or after an
      // exception) it is ignored, as the spec says.
      requests.complete(status === "accept" ? "ACCEPTED" : "REJECTED");
      return requests.awaitNext(res);
    }
    case "/notice": {
      requests.requireActive("add a notice", true);
      const notice = noticeBody(body);
      return answerIndex(res, requests.record("output", checkOutputSize(encodeNotice(notice.payload))));
    }
    case "/voucher": {
      requests.requireActive("add a voucher", true);
      const voucher = voucherBody(body);
      return answerIndex(
        res,
        requests.record(
          "output",
          checkOutputSize(encodeVoucher(voucher.destination, BigInt(voucher.value), voucher.payload)),
        ),
      );
    }
    case "/delegate-call-voucher": {
      requests.requireActive("add a delegate call voucher", true);
      const voucher = delegateCallVoucherBody(body);
      return answerIndex(
        res,
        requests.record("output", checkOutputSize(encodeDelegateCallVoucher(voucher.destination, voucher.payload))),
      );
    }
    case "/report": {
      requests.requireActive("add a report", false);
      requests.record("report", reportBody(body).payload);
      return answer(res, 202, "");
    }
    case "/exception": {
      requests.requireActive("register an exception", false);
      requests.complete("EXCEPTION", exceptionBody(body).payload);
      return answer(res, 202, "");
    }
    case "/gio":
      throw new BadRequest("gio requests are not supported in host mode");
    default:
      return answer(res, 404, "not found");
  }
}

// The bodies the dApp sends, checked as the real server checks them, field by field in order.

function finishStatus(body: Record<string, unknown>): FinishStatus {
  const status = body.status;
  if (typeof status !== "string") throw new BadRequest("missing field `status`");
  if (status !== "accept" && status !== "reject") throw new BadRequest("status must be 'accept' or 'reject'");
  return status;
}

function noticeBody(body: Record<string, unknown>): NoticeBody {
  return { payload: payloadField(body, "payload", MAX_PAYLOAD_BYTES) };
}

function reportBody(body: Record<string, unknown>): ReportBody {
  return { payload: payloadField(body, "payload", MAX_PAYLOAD_BYTES) };
}

function exceptionBody(body: Record<string, unknown>): ExceptionBody {
  return { payload: payloadField(body, "payload", MAX_PAYLOAD_BYTES) };
}

function voucherBody(body: Record<string, unknown>): VoucherBody {
  const destination = destinationField(body);
  const rawValue = body.value;
  // The real server takes `value` as optional (default 0) and accepts 1 to 64 hex digits.
  if (rawValue !== undefined && (typeof rawValue !== "string" || !UINT256_PATTERN.test(rawValue))) {
    throw new BadRequest("value must be a big-endian uint256 in hex (0x followed by 1 to 64 hex digits)");
  }
  const value = rawValue === undefined ? "0x0" : (rawValue as Hex);
  return { destination, value, payload: payloadField(body, "payload", MAX_PAYLOAD_BYTES) };
}

function delegateCallVoucherBody(body: Record<string, unknown>): DelegateCallVoucherBody {
  const destination = destinationField(body);
  return { destination, payload: payloadField(body, "payload", MAX_PAYLOAD_BYTES) };
}

function payloadField(body: Record<string, unknown>, field: string, limit: number): Hex {
  const value = body[field];
  if (value === undefined) throw new BadRequest(`missing field \`${field}\``);
  if (!isBytesHex(value))
    throw new BadRequest(`${field} must be in Ethereum hex binary format (0x followed by whole bytes)`);
  if (hexByteLength(value) > limit)
    throw new BadRequest(`${field} is ${hexByteLength(value)} bytes, over the ${limit}-byte limit`);
  return value;
}

function destinationField(body: Record<string, unknown>): Hex {
  const value = body.destination;
  if (value === undefined) throw new BadRequest("missing field `destination`");
  if (!isAddress(value)) throw new BadRequest("address not valid");
  return value;
}

function checkOutputSize(output: Hex): Hex {
  const size = hexByteLength(output);
  if (size > MAX_PAYLOAD_BYTES)
    throw new BadRequest(`encoded output is ${size} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`);
  return output;
}

function answerIndex(res: ServerResponse, index: number): void {
  const body: IndexResponse = { index };
  answerJson(res, 201, body);
}

function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(text);
}

function answerJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

/** Read a JSON object body under the size bound; the real server requires the JSON content type. */
async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    req.resume();
    throw new BadRequest("Content type error: expected application/json");
  }
  let body: Buffer;
  try {
    body = await readBody(req, MAX_REQUEST_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new BadRequest(err.message, 413);
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new BadRequest(`Json deserialize error: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BadRequest("Json deserialize error: expected a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function checkRequestPayload(payload: unknown): asserts payload is Hex {
  if (!isBytesHex(payload)) throw new InvalidArgumentError("payload must be 0x followed by whole bytes");
  if (hexByteLength(payload) > MAX_PAYLOAD_BYTES) {
    throw new InvalidArgumentError(
      `payload is ${hexByteLength(payload)} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`,
    );
  }
}

function checkMetadata(m: AdvanceMetadata): void {
  const uint = (name: keyof AdvanceMetadata) => {
    const v = m[name];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      throw new InvalidArgumentError(`metadata.${name} must be a non-negative safe integer`);
  };
  uint("chain_id");
  uint("block_number");
  uint("block_timestamp");
  uint("input_index");
  if (!isAddress(m.app_contract)) throw new InvalidArgumentError("metadata.app_contract must be a 20-byte address");
  if (!isAddress(m.msg_sender)) throw new InvalidArgumentError("metadata.msg_sender must be a 20-byte address");
  if (typeof m.prev_randao !== "string" || !HASH_PATTERN.test(m.prev_randao)) {
    throw new InvalidArgumentError("metadata.prev_randao must be 32 bytes in hex");
  }
}
