// Health, metrics and the facts a device needs before it can register (GET /v1/info).

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MAX_READING_PAYLOAD } from "@lcore/protocol/bounds";
import type { GatewayContext } from "../context.js";
import { CANONICAL_INPUT_BOX } from "../chain/inputBox.js";
import { Health, Info } from "../http/schemas.js";

export function systemRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    let closing = false;
    app.addHook("preClose", async () => {
      closing = true;
    });

    app.get(
      "/healthz",
      {
        schema: {
          tags: ["system"],
          summary: "Health: ok, or degraded with the reasons (chain or node not answering, a stalled stage)",
          response: { 200: Health },
        },
      },
      async () => {
        const report = ctx.healthReport();
        return {
          status: closing ? ("shutting-down" as const) : report.degraded ? ("degraded" as const) : ("ok" as const),
          reasons: report.reasons,
          outboxQueued: ctx.outbox.queued,
          devices: ctx.registry.size,
          signatureBackend: ctx.verifier.backend,
          paused: ctx.cartesi.paused,
          ...(report.chain === undefined ? {} : { chain: report.chain }),
          ...(report.node === undefined ? {} : { node: report.node }),
          oldestWaitingSeconds: report.oldest,
        };
      },
    );

    app.get(
      "/metrics",
      {
        schema: { tags: ["system"], summary: "Prometheus metrics (text exposition format)" },
      },
      async (_request, reply) => {
        const body = await ctx.metrics.registry.metrics();
        return reply.type(ctx.metrics.registry.contentType).send(body);
      },
    );

    app.get(
      "/v1/info",
      {
        schema: {
          tags: ["system"],
          summary: "What a device needs to register and sign: app, chain id, owner, bounds",
          description:
            "A device registers by signing registrationProofDigest(chainId, app, owner.address) with its key (PROTOCOL §3.3).",
          response: { 200: Info },
        },
      },
      async () => ({
        app: ctx.app,
        chainId: ctx.chainId.toString(),
        owner: { address: ctx.owner },
        inputBox: ctx.options.chain === undefined ? null : (ctx.options.chain.inputBox ?? CANONICAL_INPUT_BOX),
        signature: "secp256k1 ECDSA over SHA-256(M), compact r || s, low-s (PROTOCOL §1)" as const,
        limits: {
          payloadBytes: MAX_READING_PAYLOAD,
          batchReadings: ctx.limits.batchReadings,
          metadataBytes: ctx.limits.metadataBytes,
          deviceRatePerSecond: ctx.limits.deviceRatePerSecond,
          deviceRateBurst: ctx.limits.deviceRateBurst,
          futureSkewSeconds: ctx.limits.futureSkewSeconds,
        },
        mvpCompat: ctx.options.mvpCompat === true,
      }),
    );
  };
}
