// POST /v1/readings, POST /v1/readings/batch, GET /v1/readings/{device}/{seq}.

import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { GatewayContext } from "../context.js";
import { GatewayError } from "../http/errors.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { BatchReceipts, DeviceReading, ErrorBody, ReadingParams, ReadingStatus, Receipt } from "../http/schemas.js";
import { readingProgress } from "./status.js";

const errors = { "4xx": ErrorBody, "5xx": ErrorBody };

export function readingRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      "/v1/readings",
      {
        schema: {
          tags: ["readings"],
          summary: "Submit one signed reading",
          description:
            "Verified (signature, then seq), sealed and committed to the durable outbox before the 202. Nothing is stored on any error.",
          body: DeviceReading,
          response: { 202: Receipt, ...errors },
        },
      },
      async (request, reply) => {
        const receipt = await ctx.ingest.acceptOne(request.body);
        return reply.code(202).send(receipt);
      },
    );

    app.post(
      "/v1/readings/batch",
      {
        bodyLimit: ctx.limits.batchBodyBytes,
        schema: {
          tags: ["readings"],
          summary: "Submit several signed readings, all or none",
          description:
            "Readings of one or many devices; a device's readings must be in increasing seq. One bad reading refuses the whole request (its index is in the error) and stores nothing.",
          body: Type.Object(
            {
              readings: Type.Array(DeviceReading, { minItems: 1, maxItems: ctx.limits.batchReadings }),
            },
            { additionalProperties: false },
          ),
          response: { 202: BatchReceipts, ...errors },
        },
      },
      async (request, reply) => {
        const receipts = await ctx.ingest.accept(request.body.readings);
        return reply.code(202).send({ receipts });
      },
    );

    app.get(
      "/v1/readings/:device/:seq",
      {
        schema: {
          tags: ["readings"],
          summary:
            "Where a reading is: queued → submitted → included → processed → accepted | rejected; accepted → settled",
          params: ReadingParams,
          response: { 200: ReadingStatus, ...errors },
        },
      },
      async (request) => {
        const seq = BigInt(request.params.seq);
        const row = seq < 1n << 64n ? ctx.outbox.readings.get(fromHex(request.params.device), seq) : undefined;
        if (row === undefined) throw new GatewayError("LCORE_GW_READING_NOT_FOUND");
        return {
          device: toHex(row.device),
          seq: row.seq.toString(),
          digest: toHex(row.digest),
          receivedAt: new Date(row.receivedMs).toISOString(),
          ...readingProgress(row, ctx.outbox.settlements),
        };
      },
    );
  };
}
