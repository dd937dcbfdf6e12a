// Compatibility with lcore MVP clients: POST /device/register {device_id, public_key}
// and POST /device/data {device_id, data}.
//
// An MVP client cannot sign. These routes carry NO authentication: whoever can reach
// them can register a device_id and post data as it. The gateway signs such readings
// with a custodial key it derives for the device_id (mvpCustodian.ts), so on chain they
// look like any record, but their signature proves only that this gateway relayed
// them. Operators expose these routes only on a trusted network, or turn them off
// (LCORE_GW_MVP_COMPAT=0), and then they answer 403 LCORE_GW_MVP_COMPAT_DISABLED.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { encodeReadingBody, readingMessage } from "@lcore/protocol/deviceMessage";
import { sha256 } from "@lcore/wasm-core";
import { randomBytes } from "node:crypto";
import type { GatewayContext } from "../context.js";
import type { DeviceState } from "../devices/deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import { toHex } from "@lcore/protocol/bytes";
import { ErrorBody, Receipt } from "../http/schemas.js";
import { Type } from "typebox";
import { createRateLimiter } from "../util/rateLimit.js";
import { deviceView } from "../devices/deviceRoutes.js";
import { MVP_VALUE_SCALE } from "./mvpValue.js";
import { DEFAULT_MVP_VALUE, mvpPayload, mvpValue } from "./mvpData.js";

const errors = { "4xx": ErrorBody, "5xx": ErrorBody };

const MvpRegister = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$" }),
    public_key: Type.String({
      maxLength: 1024,
      description: "kept as metadata only: an MVP client never signs, so it is never used to verify",
    }),
  },
  { additionalProperties: true, description: "lcore MVP client registration (unauthenticated; see README)" },
);

const MvpData = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$" }),
    data: Type.Unknown({
      description:
        "a string is the payload byte for byte; any other JSON value its JSON text. The value: the number, or the configured field's, × 10^scale (PROTOCOL §12.7)",
    }),
  },
  { additionalProperties: true },
);

const MvpRegistered = Type.Object({
  success: Type.Boolean(),
  message: Type.String(),
  device_id: Type.String(),
  device: Type.String({ description: "the address of the gateway-held key registered for this device_id" }),
  status: Type.String(),
});

const MvpReceipt = Type.Object({ success: Type.Boolean(), message: Type.String(), ...Receipt.properties });
const MvpStatus = Type.Object({ status: Type.Literal("ok"), version: Type.String() });
/** The version GET /status reports (the gateway's package version). */
const GATEWAY_VERSION = "0.1.0";

/** Registers an MVP device_id under the gateway's custodial key for it (PROTOCOL §7.5). */
export async function registerCustodial(ctx: GatewayContext, id: string): Promise<DeviceState> {
  return ctx.registry.register(
    {
      publicKey: ctx.custodian.publicKey(id),
      proof: ctx.custodian.sign(id, ctx.registry.proofDigest()),
      metadata: `mvp:${id}`,
      mvpId: id,
    },
    ctx.nowMs(),
  );
}

/** An MVP client's reading: its value and payload by the MVP rules, signed with the device's custodial key, then ingested. */
async function acceptMvpData(ctx: GatewayContext, id: string, data: unknown) {
  const d = ctx.registry.byMvpId(id);
  if (d === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device_id: id } });
  const payload = mvpPayload(data);
  if (payload.length > ctx.limits.mvpDataBytes) {
    throw new GatewayError(
      "LCORE_GW_INVALID_REQUEST",
      `data is ${payload.length} bytes of JSON, over ${ctx.limits.mvpDataBytes}`,
    );
  }
  const value = mvpValue(data, ctx.options.mvpValue ?? DEFAULT_MVP_VALUE);
  if (value === "out_of_range")
    throw new GatewayError("LCORE_GW_NUMBER_OUT_OF_RANGE", "the value × 10^scale must fit a signed 64-bit integer");
  const seq = (d.lastSeq ?? 0n) + 1n;
  const timestamp = BigInt(Math.floor(ctx.nowMs() / 1000));
  const nonce = new Uint8Array(randomBytes(16));
  const bodyHash = sha256(encodeReadingBody({ nonce, value, payload }));
  const digest = sha256(readingMessage({ device: d.address, seq, timestamp, bodyHash }));
  return ctx.ingest.acceptOne({
    device: d.hex,
    seq: seq.toString(),
    timestamp: timestamp.toString(),
    nonce: toHex(nonce),
    value: value.toString(),
    payload: toHex(payload),
    signature: toHex(ctx.custodian.sign(id, digest)),
  });
}

export function mvpRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const enabled = ctx.options.mvpCompat === true;
    // One bucket for all MVP registrations: the route is open and each one spends gas.
    const registrations = createRateLimiter(ctx.limits.mvpRegisterPerSecond, ctx.limits.mvpRegisterBurst);
    const guard = async () => {
      if (!enabled) throw new GatewayError("LCORE_GW_MVP_COMPAT_DISABLED");
    };

    app.post(
      "/device/register",
      {
        onRequest: guard,
        schema: {
          tags: ["mvp"],
          summary: "MVP client registration (unauthenticated; the gateway holds the device key)",
          description:
            "public_key is not used: an MVP client never signs. The gateway derives a key for device_id, registers it on chain and signs this device's readings itself.",
          body: MvpRegister,
          response: { 201: MvpRegistered, ...errors },
        },
      },
      async (request, reply) => {
        const id = request.body.device_id;
        if (ctx.registry.byMvpId(id) !== undefined)
          throw new GatewayError("LCORE_GW_DEVICE_EXISTS", undefined, { details: { device_id: id } });
        const take = registrations.take("mvp-register", 1, ctx.nowMs());
        if (!take.ok)
          throw new GatewayError("LCORE_GW_RATE_LIMITED", "too many MVP registrations", {
            retryAfter: take.retryAfterSeconds,
          });
        const d = await registerCustodial(ctx, id);
        return reply.code(201).send({
          success: true,
          message: "Device registered",
          device_id: id,
          device: d.hex,
          status: deviceView(ctx, d).registration.status,
        });
      },
    );

    app.post(
      "/device/data",
      {
        onRequest: guard,
        bodyLimit: Math.max(ctx.limits.bodyBytes, ctx.limits.mvpDataBytes + 1024),
        schema: {
          tags: ["mvp"],
          summary: "MVP client reading (unauthenticated; signed by the gateway)",
          description: `seq is the device's last + 1, timestamp the gateway's clock; the value is round(number × 10^scale) of data or of its configured field (default ×${MVP_VALUE_SCALE}); a string data is the payload byte for byte, other JSON its text (at most the MVP data bound).`,
          body: MvpData,
          response: { 202: MvpReceipt, ...errors },
        },
      },
      async (request, reply) => {
        const receipt = await acceptMvpData(ctx, request.body.device_id, request.body.data);
        // The MVP's answer (success, message) beside lcore's receipt: the harness judges success by the 2xx.
        return reply.code(202).send({ success: true, message: "Data submitted", ...receipt });
      },
    );

    app.get(
      "/status",
      {
        onRequest: guard,
        schema: {
          tags: ["mvp"],
          summary: "MVP client health check: what the MVP node answered",
          response: { 200: MvpStatus, ...errors },
        },
      },
      async () => ({ status: "ok" as const, version: GATEWAY_VERSION }),
    );
  };
}
