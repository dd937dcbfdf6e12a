// POST /v1/evidence (owner): an evidence bundle (docs/EVIDENCE.md) of some devices over a
// range of device time — complete (every reading of the settlement periods touched) or,
// with `seqs`, a chosen subset for one party (selective delivery). The bundle holds
// plaintext, so the route is behind the owner token like the plaintext records route.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { evidenceBundleJson } from "@lcore/protocol/evidenceBundle";
import { Type } from "typebox";
import type { GatewayContext } from "../context.js";
import { ownerAuth } from "../http/ownerAuth.js";
import { Address, ErrorBody } from "../http/schemas.js";
import { exportEvidence } from "./exportBundle.js";

/** Devices in one export at most; seqs of a subset at most. */
export const MAX_EXPORT_DEVICES = 16;
export const MAX_EXPORT_SEQS = 10_000;

const Decimal = Type.String({ pattern: "^(0|[1-9][0-9]{0,19})$", description: "u64 as a decimal string" });

export const EvidenceRequest = Type.Object(
  {
    devices: Type.Array(Address, { minItems: 1, maxItems: MAX_EXPORT_DEVICES }),
    from: Decimal,
    to: Decimal,
    seqs: Type.Optional(Type.Array(Decimal, { minItems: 1, maxItems: MAX_EXPORT_SEQS })),
  },
  { additionalProperties: false },
);

export function evidenceRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook("onRequest", ownerAuth(ctx.options.ownerToken));
    app.post(
      "/v1/evidence",
      {
        schema: {
          tags: ["evidence"],
          summary: "Export an evidence bundle of devices' readings over a time range (owner)",
          description:
            "The bundle (docs/EVIDENCE.md) holds each device's registration input and, per reading, the plaintext as signed, the public record, its record hash, its inclusion proof against its settled period's root, the period with its settlement transaction and device summary, and the input that carried it. Without seqs it covers whole settlement periods (complete); with seqs only those readings (subset). `lcore verify` checks it against the chain alone.",
          security: [{ ownerToken: [] }],
          body: EvidenceRequest,
          // The bundle's shape is docs/EVIDENCE.md's, checked by its reader (readEvidenceBundle), not restated here.
          response: {
            200: Type.Unknown({ description: "an evidence bundle (docs/EVIDENCE.md)" }),
            "4xx": ErrorBody,
            "5xx": ErrorBody,
          },
        },
      },
      async (request) => {
        const b = request.body;
        const bundle = exportEvidence(ctx, {
          devices: b.devices,
          from: BigInt(b.from),
          to: BigInt(b.to),
          ...(b.seqs === undefined ? {} : { seqs: b.seqs.map(BigInt) }),
        });
        return evidenceBundleJson(bundle);
      },
    );
  };
}
