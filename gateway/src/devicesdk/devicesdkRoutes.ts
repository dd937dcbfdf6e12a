// lcore-device-sdk devices (PROTOCOL §12.3, §12.6):
//
//   POST /advance                          the SDK's hex JSON: register_device (the P-256 JWK of its DID
//                                          document; waits for the owner unless auto-approval is on) or
//                                          submit_sensor_data (compact JWS, ES256; seq = iat or the
//                                          payload's timestamp, strictly increasing per device)
//   GET  /v1/devicesdk/pending             (owner) registrations waiting for approval
//   POST /v1/devicesdk/pending/{id}/approve (owner) {valueField, scale?, metadata?}: registers it (0x06)
//   POST /v1/devicesdk/pending/{id}/reject  (owner) forgets it
//
// The SDK's registration carries no proof of possession, so nobody's key goes on chain on the
// word of an unauthenticated request alone: the owner approves it, or the operator says
// beforehand that every one is approved (LCORE_GW_SDK_AUTO_APPROVE_FIELD).

import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DeviceFormat, isValueField } from "@lcore/protocol/deviceFormats";
import { FormatError } from "@lcore/protocol/formatError";
import { MAX_VALUE_SCALE } from "@lcore/protocol/formatValue";
import { readJwsSigningInput, splitCompactJws } from "@lcore/protocol/jwsMessage";
import { toHex } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import { deviceView } from "../devices/deviceRoutes.js";
import { GatewayError } from "../http/errors.js";
import { ownerAuth } from "../http/ownerAuth.js";
import { ingestFormatReading } from "../formats/formatIngest.js";
import { P256_N, lowS, p256Prepared, verifyP256 } from "../formats/p256.js";
import { type SdkMessage, parseSdkBody } from "./sdkMessage.js";
import { createRateLimiter } from "../util/rateLimit.js";

/** Hex doubles the JSON: a 4096-character JWS and its envelope fit. */
const ADVANCE_BODY_LIMIT = 16_384;
/** Registrations waiting for the owner at once (each is a row in the outbox). */
export const MAX_PENDING_SDK_DEVICES = 10_000;

const formatError = (error: unknown): never => {
  if (error instanceof FormatError)
    throw new GatewayError("LCORE_GW_FORMAT_INVALID", error.detail, { details: { reason: error.code } });
  throw error;
};

export function devicesdkRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(advanceRoute(ctx));
    await app.register(ownerRoutes(ctx));
  };
}

function advanceRoute(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // One bucket for every unauthenticated registration request, as for the MVP route's: each
    // one writes a pending row (or, with auto-approval, spends gas).
    const registrations = createRateLimiter(ctx.limits.mvpRegisterPerSecond, ctx.limits.mvpRegisterBurst);
    // The SDK sends hex, not JSON, under application/json.
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser(
      ["application/json", "text/plain", "application/octet-stream"],
      { parseAs: "buffer", bodyLimit: ADVANCE_BODY_LIMIT },
      (_r, body, done) => done(null, body),
    );
    app.post(
      "/advance",
      { bodyLimit: ADVANCE_BODY_LIMIT, schema: { tags: ["devicesdk"], summary: "An lcore-device-sdk message" } },
      async (request, reply) => {
        const m = parseSdkBody(request.body as Buffer);
        if (m.type === "register_device") {
          const take = registrations.take("sdk-register", 1, ctx.nowMs());
          if (!take.ok)
            throw new GatewayError("LCORE_GW_RATE_LIMITED", "too many device registrations", {
              retryAfter: take.retryAfterSeconds,
            });
          const answer = await registerOrQueue(ctx, m);
          return reply.code(answer.status === "pending_approval" ? 202 : 201).send(answer);
        }
        const receipt = await submit(ctx, m);
        return reply.code(200).send({ success: true, ...receipt });
      },
    );
  };
}

async function registerOrQueue(ctx: GatewayContext, m: Extract<SdkMessage, { type: "register_device" }>) {
  if (p256Prepared(m.publicKey) === null) throw new GatewayError("LCORE_GW_PUBLIC_KEY_INVALID");
  const known = ctx.registry.bySdkId(m.deviceId);
  if (known !== undefined)
    throw new GatewayError("LCORE_GW_DEVICE_EXISTS", undefined, { details: { device_id: m.deviceId } });
  const auto = ctx.options.deviceSdk?.autoApprove;
  if (auto !== undefined) {
    const d = await registerSdk(ctx, m.deviceId, m.publicKey, auto.valueField, auto.scale, m.deviceId, []);
    return { device_id: m.deviceId, status: "registered", device: d.hex };
  }
  const pending = ctx.outbox.deviceFormats.pendingDevice(m.deviceId);
  if (pending !== undefined) {
    if (toHex(pending.publicKey) !== toHex(m.publicKey))
      throw new GatewayError("LCORE_GW_DEVICE_EXISTS", "another key waits under this device_id");
    return { device_id: m.deviceId, status: "pending_approval" };
  }
  if (ctx.outbox.deviceFormats.pendingCount() >= MAX_PENDING_SDK_DEVICES)
    throw new GatewayError("LCORE_GW_DEVICE_LIMIT");
  await ctx.outbox.write([
    ctx.outbox.deviceFormats.insertPendingStatement({
      deviceId: m.deviceId,
      publicKey: m.publicKey,
      receivedMs: ctx.nowMs(),
    }),
  ]);
  return { device_id: m.deviceId, status: "pending_approval" };
}

function registerSdk(
  ctx: GatewayContext,
  deviceId: string,
  publicKey: Uint8Array,
  valueField: string,
  scale: number,
  metadata: string,
  also: Parameters<GatewayContext["registry"]["registerFormat"]>[2],
) {
  return ctx.registry.registerFormat(
    {
      format: DeviceFormat.JwsEs256,
      publicKey,
      proof: new Uint8Array(0),
      scale,
      valueField,
      metadata,
      sdkId: deviceId,
    },
    ctx.nowMs(),
    also,
  );
}

async function submit(ctx: GatewayContext, m: Extract<SdkMessage, { type: "submit_sensor_data" }>) {
  const state = ctx.registry.bySdkId(m.deviceId);
  if (state === undefined) {
    if (ctx.outbox.deviceFormats.pendingDevice(m.deviceId) !== undefined)
      throw new GatewayError("LCORE_GW_DEVICE_PENDING");
    throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device_id: m.deviceId } });
  }
  let parts: ReturnType<typeof splitCompactJws>;
  try {
    parts = splitCompactJws(m.jws);
  } catch (error) {
    return formatError(error);
  }
  const low = lowS(parts.signature, P256_N);
  let reading: ReturnType<typeof readJwsSigningInput>;
  try {
    reading = readJwsSigningInput(parts.signingInput, state.valueField, state.scale);
  } catch (error) {
    return formatError(error);
  }
  if (low === null || !verifyP256(reading.digest, state.publicKey, low))
    throw new GatewayError("LCORE_GW_SIGNATURE_INVALID");
  return ingestFormatReading(ctx, {
    state,
    time: reading.time,
    digest: reading.digest,
    signature: low,
    body: parts.signingInput,
  });
}

const Approve = Type.Object(
  {
    valueField: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.-]+$" }),
    scale: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_VALUE_SCALE })),
    metadata: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

function ownerRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook("onRequest", ownerAuth(ctx.options.ownerToken));
    const Params = Type.Object({ deviceId: Type.String({ maxLength: 128 }) });

    app.get(
      "/v1/devicesdk/pending",
      { schema: { tags: ["devicesdk"], summary: "SDK registrations waiting (owner)" } },
      async () => ({
        pending: ctx.outbox.deviceFormats.pending(1000).map((p) => ({
          device_id: p.deviceId,
          publicKey: toHex(p.publicKey),
          receivedAt: new Date(p.receivedMs).toISOString(),
        })),
      }),
    );

    app.post(
      "/v1/devicesdk/pending/:deviceId/approve",
      {
        schema: { tags: ["devicesdk"], summary: "Approve an SDK registration (owner)", params: Params, body: Approve },
      },
      async (request, reply) => {
        const id = request.params.deviceId;
        const p = ctx.outbox.deviceFormats.pendingDevice(id);
        if (p === undefined) throw new GatewayError("LCORE_GW_DEVICE_NOT_PENDING");
        if (!isValueField(request.body.valueField))
          throw new GatewayError("LCORE_GW_INVALID_REQUEST", "bad valueField");
        const d = await registerSdk(
          ctx,
          id,
          p.publicKey,
          request.body.valueField,
          request.body.scale ?? 0,
          request.body.metadata ?? id,
          [ctx.outbox.deviceFormats.deletePendingStatement(id)],
        );
        return reply.code(201).send({ device_id: id, ...deviceView(ctx, d) });
      },
    );

    app.post(
      "/v1/devicesdk/pending/:deviceId/reject",
      { schema: { tags: ["devicesdk"], summary: "Refuse an SDK registration (owner)", params: Params } },
      async (request) => {
        const id = request.params.deviceId;
        if (ctx.outbox.deviceFormats.pendingDevice(id) === undefined)
          throw new GatewayError("LCORE_GW_DEVICE_NOT_PENDING");
        await ctx.outbox.write([ctx.outbox.deviceFormats.deletePendingStatement(id)]);
        return { device_id: id, status: "rejected" };
      },
    );
  };
}
