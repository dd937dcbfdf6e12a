// The console's read routes for a fleet (README "Console"): the device list with search,
// filters and keyset paging; a device's page, readings (public lifecycle) and values
// (owner: decrypted, behind the owner token like every plaintext); the disclosures; the
// health strip; and the settings the page needs (block explorer). All are bounded pages.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readU64, toHex, u64Bytes } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import type { DeviceState as RegistryDevice } from "../devices/deviceRegistry.js";
import { plainRecord } from "../devices/deviceRoutes.js";
import { GatewayError } from "../http/errors.js";
import { ownerAuth } from "../http/ownerAuth.js";
import { ActivityStore } from "../outbox/activityStore.js";
import { FleetStore, UNSETTLED_SCAN } from "../outbox/fleetStore.js";
import { readingProgress } from "../readings/status.js";
import {
  DeviceOnlyParams,
  DISCLOSURES_PAGE_MAX,
  DisclosuresQuery,
  FleetQuery,
  READINGS_PAGE_DEFAULT,
  READINGS_PAGE_MAX,
  ReadingsQuery,
} from "./consoleSchemas.js";
import { deviceActionRoutes } from "./deviceActions.js";
import { devicePage } from "./devicePage.js";
import { deviceSummary } from "./deviceSummary.js";
import { disclosureView } from "./disclosureView.js";
import { fleetFilter, u64 } from "./fleetQuery.js";
import { healthStrip } from "./healthStrip.js";
import { nodeLagProbe } from "./nodeLag.js";

const U64_END = u64Bytes((1n << 64n) - 1n);

function registered(ctx: GatewayContext, hex: string): RegistryDevice {
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

export function fleetRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(deviceActionRoutes(ctx));
    const fleet = new FleetStore(ctx.outbox.db);
    const activity = new ActivityStore(ctx.outbox.db);
    const lag = nodeLagProbe(ctx);
    const owner = ownerAuth(ctx.options.ownerToken);

    app.get(
      "/v1/console/devices",
      {
        schema: {
          tags: ["console"],
          summary:
            "One page of devices: search by address prefix or metadata, by seq; filter by status, rejected, not settled, silent",
          querystring: FleetQuery,
        },
      },
      async (request) => {
        const filter = fleetFilter(request.query, ctx.nowMs());
        const { rows, scannedTo } = fleet.page(filter);
        const devices = rows.slice(0, filter.limit).map(deviceSummary);
        // A full page resumes after its last device; a page cut short by the scan bound, after the last device examined.
        const next =
          rows.length > filter.limit
            ? devices[devices.length - 1]!.device
            : scannedTo === null
              ? null
              : toHex(scannedTo);
        return {
          devices,
          next,
          ...(scannedTo === null ? {} : { scanned: UNSETTLED_SCAN }),
          registered: ctx.registry.size,
        };
      },
    );

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

    app.get(
      "/v1/console/disclosures",
      {
        schema: {
          tags: ["console"],
          summary: "Disclosures, newest first, with their state and aggregate",
          querystring: DisclosuresQuery,
        },
      },
      async (request) => {
        const limit = Math.min(Number(request.query.limit ?? DISCLOSURES_PAGE_MAX), DISCLOSURES_PAGE_MAX) || 1;
        const before = request.query.before === undefined ? Number.MAX_SAFE_INTEGER : Number(request.query.before);
        const device = request.query.device === undefined ? undefined : registered(ctx, request.query.device).address;
        const ids = fleet.disclosureIds(device, before, limit + 1);
        const disclosures = ids.slice(0, limit).map((id) => disclosureView(ctx.outbox.disclosures.get(id)!));
        return { disclosures, next: ids.length > limit ? String(ids[limit - 1]) : null };
      },
    );

    app.get(
      "/v1/console/health",
      {
        schema: {
          tags: ["console"],
          summary: "The health strip: outbox, pause, node lag, claims, settlement, rejections",
        },
      },
      async () => healthStrip(ctx, activity, await lag()),
    );

    app.get(
      "/v1/console/settings",
      { schema: { tags: ["console"], summary: "What the page needs to draw links" } },
      async () => ({ explorerTxUrl: ctx.options.console?.explorerTxUrl ?? null, owner: ctx.owner, app: ctx.app }),
    );
  };
}
