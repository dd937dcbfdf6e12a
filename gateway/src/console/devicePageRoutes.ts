// A device's routes in the console: its page (devicePage.ts), its readings newest first with
// their lifecycle (public: what the chain and the receipts already say), and the same readings
// decrypted (owner: values over time, behind the owner token like every plaintext).

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readU64, toHex, u64Bytes } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import type { DeviceState as RegistryDevice } from "../devices/deviceRegistry.js";
import { plainRecord } from "../devices/deviceRoutes.js";
import { GatewayError } from "../http/errors.js";
import { ownerAuth } from "../http/ownerAuth.js";
import { FleetStore } from "../outbox/fleetStore.js";
import { readingProgress } from "../readings/status.js";
import { DeviceOnlyParams, READINGS_PAGE_DEFAULT, READINGS_PAGE_MAX, ReadingsQuery } from "./consoleSchemas.js";
import { devicePage } from "./devicePage.js";
import { u64 } from "./fleetQuery.js";

const U64_END = u64Bytes((1n << 64n) - 1n);

export function registered(ctx: GatewayContext, hex: string): RegistryDevice {
  const d = ctx.registry.get(hex.toLowerCase());
  if (d === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: hex } });
  return d;
}

/** The device's readings below `before` (newest first), limit + 1 read to know whether more follow. */
function readingsPage(
  ctx: GatewayContext,
  fleet: FleetStore,
  d: RegistryDevice,
  q: { before?: string; limit?: string },
) {
  const limit = Math.min(Number(q.limit ?? READINGS_PAGE_DEFAULT), READINGS_PAGE_MAX) || 1;
  const before = q.before === undefined ? U64_END : u64Bytes(u64(q.before));
  const seqs = fleet.seqsBefore(d.address, before, limit + 1);
  const rows = seqs.slice(0, limit).map((s) => ctx.outbox.readings.get(d.address, readU64(s, 0))!);
  const next = seqs.length > limit ? readU64(seqs[limit - 1]!, 0).toString() : null;
  return { rows, next };
}

export function devicePageRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const fleet = new FleetStore(ctx.outbox.db);
    const owner = ownerAuth(ctx.options.ownerToken);

    app.get(
      "/v1/console/devices/:device",
      { schema: { tags: ["console"], summary: "A device's page", params: DeviceOnlyParams } },
      async (request) => devicePage(ctx, fleet, registered(ctx, request.params.device)),
    );

    app.get(
      "/v1/console/devices/:device/readings",
      {
        schema: {
          tags: ["console"],
          summary: "A device's readings, newest first, with their lifecycle (no plaintext)",
          params: DeviceOnlyParams,
          querystring: ReadingsQuery,
        },
      },
      async (request) => {
        const { rows, next } = readingsPage(ctx, fleet, registered(ctx, request.params.device), request.query);
        const readings = rows.map((r) => {
          const p = readingProgress(r, ctx.outbox.settlements);
          return {
            seq: r.seq.toString(),
            timestamp: r.timestamp.toString(),
            receivedAt: new Date(r.receivedMs).toISOString(),
            digest: toHex(r.digest),
            ...p,
          };
        });
        return { readings, next };
      },
    );

    app.get(
      "/v1/console/devices/:device/values",
      {
        onRequest: owner,
        schema: {
          tags: ["console"],
          summary: "A device's readings decrypted, newest first: values over time (owner)",
          security: [{ ownerToken: [] }],
          params: DeviceOnlyParams,
          querystring: ReadingsQuery,
        },
      },
      async (request) => {
        const { rows, next } = readingsPage(ctx, fleet, registered(ctx, request.params.device), request.query);
        return { values: rows.map((r) => plainRecord(ctx, r)), next };
      },
    );
  };
}
