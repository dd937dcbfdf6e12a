// Owner routes for disclosures (PROTOCOL §10, §11.1): POST /v1/disclosures queues one (a
// key disclosure, or a pruned day's 0x12 parts), GET /v1/disclosures/{id} follows it to
// the dApp's verdict. The period key is derived
// and encoded inside the gateway; no answer or log line carries it.

import { laterOfClocks } from "../chain/chainClock.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { GatewayContext } from "../context.js";
import { disclosureProgress, disclosureStatusUrl } from "./disclosures.js";
import { GatewayError } from "../http/errors.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { ownerAuth } from "../http/ownerAuth.js";
import { DisclosureBody, DisclosureParams, DisclosureReceipt, DisclosureStatus, ErrorBody } from "../http/schemas.js";

const errors = { "4xx": ErrorBody, "5xx": ErrorBody };
const security = [{ ownerToken: [] }];

export function disclosureRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook("onRequest", ownerAuth(ctx.options.ownerToken));

    app.post(
      "/v1/disclosures",
      {
        schema: {
          tags: ["disclosures"],
          summary: "Disclose one device's period to the dApp (owner)",
          description:
            "Derives the period key from the owner master key and queues the key-disclosure input (0x11), or, for a day some of whose records the dApp has pruned, the 0x12 parts that carry those records with their proofs against the settled roots. The dApp opens every record of the device in that period and publishes count, sum, min and max (notice 0x91) and, with aggregateVoucher, a LcoreSettlement.recordAggregate voucher. The key becomes public on chain: only that device's records of that period become readable.",
          security,
          body: DisclosureBody,
          response: { 202: DisclosureReceipt, ...errors },
        },
      },
      async (request, reply) => {
        const { device, period } = request.body;
        const id = await ctx.disclosures.request(
          { device: fromHex(device), period, voucher: request.body.aggregateVoucher ?? false },
          await laterOfClocks(ctx.nowMs(), ctx.options.chain?.rpcUrl),
        );
        return reply
          .code(202)
          .send({ id, device: device.toLowerCase(), period, status: "queued", statusUrl: disclosureStatusUrl(id) });
      },
    );

    app.get(
      "/v1/disclosures/:id",
      {
        schema: {
          tags: ["disclosures"],
          summary:
            "Where a disclosure is: queued → submitted → included → processed → accepted (with the aggregate) | rejected (with the dApp's reason)",
          security,
          params: DisclosureParams,
          response: { 200: DisclosureStatus, ...errors },
        },
      },
      async (request) => {
        const d = ctx.outbox.disclosures.get(Number(request.params.id));
        if (d === undefined) throw new GatewayError("LCORE_GW_DISCLOSURE_NOT_FOUND");
        const r = d.result;
        return {
          // First, so that `period` below is the disclosure period (a reading's Progress uses the name for its settlement period).
          ...disclosureProgress(d),
          id: d.inputId,
          device: toHex(d.device),
          period: d.period,
          aggregateVoucher: d.voucher,
          requestedAt: new Date(d.requestedMs).toISOString(),
          ...(d.parts.length === 0
            ? {}
            : { parts: d.parts.length, prunedRecords: d.parts.reduce((n, p) => n + p.records, 0) }),
          ...(d.failedRecord === null
            ? {}
            : {
                failedRecord: {
                  device: toHex(d.failedRecord.device),
                  seq: d.failedRecord.seq.toString(),
                  recordHash: toHex(d.failedRecord.recordHash),
                },
              }),
          ...(r === null
            ? {}
            : {
                aggregate: {
                  count: r.count.toString(),
                  sum: r.sum.toString(),
                  min: r.min.toString(),
                  max: r.max.toString(),
                  stateHash: toHex(r.stateHash),
                },
              }),
          ...aggregateOnChain(ctx, d.device, d.period, d.voucher),
        };
      },
    );
  };
}

/** The disclosure's recordAggregate voucher, once the settlement follower has read it. */
function aggregateOnChain(ctx: GatewayContext, device: Uint8Array, period: number, asked: boolean) {
  const v = asked ? ctx.outbox.aggregates.ofPeriod(device, period) : undefined;
  if (v === undefined) return {};
  return {
    aggregateOnChain: {
      outputIndex: v.voucherIndex,
      executed: v.executedMs !== null,
      ...(v.executedTx === null ? {} : { executedTx: toHex(v.executedTx) }),
    },
  };
}
