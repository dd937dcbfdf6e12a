// Owner routes: register a device, read a device, read its records in plaintext.
// All need the owner token; the records route is the only place plaintext leaves the
// gateway, decrypted with the owner key from the sealed copy in the outbox.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { decodeReadingBody } from "@lcore/protocol/deviceMessage";
import { sha256 } from "@lcore/wasm-core";
import type { Static } from "typebox";
import type { GatewayContext } from "../context.js";
import type { DeviceState } from "./deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import { formatPlainRecord } from "../formats/formatRecords.js";
import { type DeviceFormat, FORMAT_NAMES } from "@lcore/protocol/deviceFormats";
import type { ReadingRow } from "../outbox/readingStore.js";
import { equalBytes, fromHex, toHex } from "@lcore/protocol/bytes";
import { ownerAuth } from "../http/ownerAuth.js";
import {
  type ChainStatus,
  Device,
  DeviceParams,
  ErrorBody,
  RecordsPage,
  RecordsQuery,
  RegisterDevice,
} from "../http/schemas.js";
import { type Progress, inputProgress, readingProgress } from "../readings/status.js";

const errors = { "4xx": ErrorBody, "5xx": ErrorBody };
const security = [{ ownerToken: [] }];

export function deviceView(ctx: GatewayContext, d: DeviceState) {
  const input = ctx.outbox.inputs.get(d.inputId);
  const p = input === undefined ? ({ status: "queued", final: false } as Progress) : inputProgress(input);
  // What the chain says about the device: its mark (deviceMarks.ts) once it refuses it, else whether the registration is in.
  const chainStatus: Static<typeof ChainStatus> =
    d.chainMark?.status ?? (input?.nodeStatus === "ACCEPTED" ? "registered" : "pending");
  return {
    device: d.hex,
    chainStatus,
    ...(d.chainMark === null ? {} : { chainReason: d.chainMark.reason }),
    publicKey: toHex(d.publicKey),
    metadata: d.metadata,
    custodial: d.mvpId !== null,
    ...(d.format === 0 ? {} : { format: FORMAT_NAMES[d.format as DeviceFormat] }),
    lastSeq: d.lastSeq === null ? null : d.lastSeq.toString(),
    registeredAt: new Date(d.registeredMs).toISOString(),
    registration: {
      status: p.status,
      final: p.final,
      ...(p.txHash === undefined ? {} : { txHash: p.txHash }),
      ...(p.inputIndex === undefined ? {} : { inputIndex: p.inputIndex }),
    },
  };
}

/** One stored reading in plaintext, with its status: what the records route lists. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The payload as text too when it is UTF-8 (most firmware sends JSON or CSV); hex stays the exact bytes. */
function utf8Text(payload: Uint8Array): { payloadText?: string } {
  if (payload.length === 0) return {};
  try {
    return { payloadText: UTF8.decode(payload) };
  } catch {
    return {};
  }
}

export function plainRecord(ctx: GatewayContext, r: ReadingRow, d?: DeviceState) {
  const body = ctx.sealer.open({
    device: r.device,
    seq: r.seq,
    timestamp: r.timestamp,
    digest: r.digest,
    sealed: r.sealed,
  });
  if (d !== undefined && d.format !== 0) return { ...formatPlainRecord(d, r, body), ...progressFields(ctx, r) };
  // The outbox is trusted storage, but a record that does not match its signed hash must never be shown as genuine.
  if (!equalBytes(sha256(body), r.bodyHash))
    throw new GatewayError("LCORE_GW_INTERNAL", "a stored record does not match its body hash");
  const { nonce, value, payload } = decodeReadingBody(body);
  const p = readingProgress(r, ctx.outbox.settlements);
  return {
    seq: r.seq.toString(),
    timestamp: r.timestamp.toString(),
    nonce: toHex(nonce),
    value: value.toString(),
    payload: toHex(payload),
    ...utf8Text(payload),
    digest: toHex(r.digest),
    status: p.status,
    final: p.final,
    ...(p.inputIndex === undefined ? {} : { inputIndex: p.inputIndex }),
    ...(p.reason === undefined ? {} : { reason: p.reason }),
  };
}

export function deviceRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook("onRequest", ownerAuth(ctx.options.ownerToken));

    app.post(
      "/v1/devices",
      {
        schema: {
          tags: ["devices"],
          summary: "Register a device (owner)",
          description:
            "Checks the key and its proof of possession, stores the device and queues its registration input (auth = sender: the gateway's account becomes the owner on chain). Readings are accepted from the device at once; they reach the chain after the registration.",
          security,
          body: RegisterDevice,
          response: { 201: Device, ...errors },
        },
      },
      async (request, reply) => {
        const d = await ctx.registry.register(
          {
            publicKey: fromHex(request.body.publicKey),
            proof: fromHex(request.body.proof),
            metadata: request.body.metadata ?? "",
            mvpId: null,
          },
          ctx.nowMs(),
        );
        return reply.code(201).send(deviceView(ctx, d));
      },
    );

    app.get(
      "/v1/devices/:device",
      {
        schema: {
          tags: ["devices"],
          summary: "A registered device (owner)",
          security,
          params: DeviceParams,
          response: { 200: Device, ...errors },
        },
      },
      async (request) => deviceView(ctx, registeredDevice(ctx, request.params.device)),
    );

    app.get(
      "/v1/devices/:device/records",
      {
        schema: {
          tags: ["devices"],
          summary: "A device's readings in plaintext, decrypted with the owner key (owner)",
          security,
          params: DeviceParams,
          querystring: RecordsQuery,
          response: { 200: RecordsPage, ...errors },
        },
      },
      async (request) => recordsPage(ctx, registeredDevice(ctx, request.params.device), request.query),
    );
  };
}

function progressFields(ctx: GatewayContext, r: ReadingRow) {
  const p = readingProgress(r, ctx.outbox.settlements);
  return {
    status: p.status,
    final: p.final,
    ...(p.inputIndex === undefined ? {} : { inputIndex: p.inputIndex }),
    ...(p.reason === undefined ? {} : { reason: p.reason }),
  };
}

function registeredDevice(ctx: GatewayContext, hex: string): DeviceState {
  const d = ctx.registry.get(hex.toLowerCase());
  if (d === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: hex } });
  return d;
}

/** One page of the device's readings from fromSeq, decrypted, with the seq the next page starts at. */
function recordsPage(ctx: GatewayContext, d: DeviceState, query: Static<typeof RecordsQuery>) {
  const fromSeq = BigInt(query.fromSeq ?? "0");
  const limit = Math.min(Number(query.limit ?? ctx.limits.recordsPage), ctx.limits.recordsPage);
  if (fromSeq >= 1n << 64n || limit < 1)
    throw new GatewayError("LCORE_GW_INVALID_REQUEST", "fromSeq must be a u64 and limit at least 1");
  const rows = ctx.outbox.readings.page(d.address, fromSeq, limit + 1);
  const records = rows.slice(0, limit).map((r) => plainRecord(ctx, r, d));
  const next = rows.length > limit ? rows[limit]!.seq.toString() : null;
  return { device: d.hex, records, nextSeq: next };
}
