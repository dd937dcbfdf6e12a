// Dual-mode routes (migration from the MVP): the mirror's counters (GET /v1/mirror) and the Cartesi
// pause switch (GET /v1/cartesi, owner POST /v1/cartesi/pause and /resume). The
// procedure is gateway/README.md, "Migration: dual mode and rollback".

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { GatewayContext } from "../context.js";
import { toHex } from "@lcore/protocol/bytes";
import { ownerAuth } from "../http/ownerAuth.js";
import { ErrorBody } from "../http/schemas.js";

const errors = { "4xx": ErrorBody, "5xx": ErrorBody };
const security = [{ ownerToken: [] }];
const count = Type.Integer({ minimum: 0 });
/** Newest divergent readings listed by GET /v1/mirror. */
export const MIRROR_RECENT_DIVERGENCES = 20;

const MirrorView = Type.Object({
  enabled: Type.Boolean({ description: "a legacy node is configured (LCORE_GW_MIRROR_URL)" }),
  pending: count,
  legacy: Type.Object({ accepted: count, refused: count, failed: count, skipped: count, history: count }),
  agreements: Type.Object({ accepted: count, rejected: count }),
  divergences: Type.Object({ cartesi_only: count, legacy_only: count }),
  recent: Type.Array(
    Type.Object({
      device: Type.String(),
      seq: Type.String(),
      kind: Type.Union([Type.Literal("cartesi_only"), Type.Literal("legacy_only")]),
      legacyStatus: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()], {
        description: "the dApp's reason when it rejected the reading",
      }),
    }),
    { description: `the newest ${MIRROR_RECENT_DIVERGENCES} divergent readings` },
  ),
});

const CartesiView = Type.Object({
  paused: Type.Boolean(),
  queuedReadings: count,
  unincludedInputs: count,
});

export function dualModeRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const cartesiView = () => ({
      paused: ctx.cartesi.paused,
      queuedReadings: ctx.outbox.queued,
      unincludedInputs: ctx.outbox.inputs.countUnincluded(),
    });

    app.get(
      "/v1/mirror",
      {
        schema: {
          tags: ["migration"],
          summary: "Dual mode: what the legacy MVP node answered and how it compares with the dApp",
          description:
            "Totals since the mirror first ran on this outbox. A reading is compared once both the legacy node (2xx accepted, 4xx refused) and the dApp have answered.",
          response: { 200: MirrorView },
        },
      },
      async () => {
        const t = ctx.outbox.mirror.totals();
        return {
          enabled: ctx.options.mirror !== undefined,
          // Only while a legacy node is configured: after mirroring stops, the cursor stays and everything newer would count.
          pending: ctx.options.mirror === undefined ? 0 : ctx.outbox.mirror.pending(),
          legacy: {
            accepted: t.accepted,
            refused: t.refused,
            failed: t.failed,
            skipped: t.skipped,
            history: t.history,
          },
          agreements: { accepted: t.agree_accepted, rejected: t.agree_rejected },
          divergences: { cartesi_only: t.cartesi_only, legacy_only: t.legacy_only },
          recent: ctx.outbox.mirror.divergences(MIRROR_RECENT_DIVERGENCES).map((d) => ({
            device: toHex(d.device),
            seq: d.seq.toString(),
            kind: d.kind,
            legacyStatus: d.httpStatus,
            reason: d.reason,
          })),
        };
      },
    );

    app.get(
      "/v1/cartesi",
      {
        schema: {
          tags: ["migration"],
          summary: "Whether the Cartesi path is paused, and what waits in the outbox",
          response: { 200: CartesiView },
        },
      },
      async () => cartesiView(),
    );

    for (const [action, paused] of [
      ["pause", true],
      ["resume", false],
    ] as const) {
      app.post(
        `/v1/cartesi/${action}`,
        {
          onRequest: ownerAuth(ctx.options.ownerToken),
          schema: {
            tags: ["migration"],
            summary: paused
              ? "Pause the Cartesi path (owner): readings are still accepted and wait in the outbox"
              : "Resume the Cartesi path (owner): what waited is batched and submitted, in order",
            description: "Durable: once answered, a restart keeps the state. Idempotent.",
            security,
            response: { 200: CartesiView, ...errors },
          },
        },
        async () => {
          await ctx.cartesi.set(paused);
          return cartesiView();
        },
      );
    }
  };
}
