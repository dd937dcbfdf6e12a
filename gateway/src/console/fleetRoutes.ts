// The console's read routes for a fleet (README "Console"): the device list with search,
// filters and keyset paging; the disclosures; the health strip; and the settings the page
// needs (block explorer); with a device's routes (devicePageRoutes.ts) and the owner's
// actions (deviceActions.ts). All are bounded pages.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { toHex } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import { ActivityStore } from "../outbox/activityStore.js";
import { FleetStore, UNSETTLED_SCAN } from "../outbox/fleetStore.js";
import { DISCLOSURES_PAGE_MAX, DisclosuresQuery, FleetQuery } from "./consoleSchemas.js";
import { deviceActionRoutes } from "./deviceActions.js";
import { devicePageRoutes, registered } from "./devicePageRoutes.js";
import { deviceSummary } from "./deviceSummary.js";
import { disclosureView } from "./disclosureView.js";
import { fleetFilter } from "./fleetQuery.js";
import { healthStrip } from "./healthStrip.js";
import { nodeLagProbe } from "./nodeLag.js";

export function fleetRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(deviceActionRoutes(ctx));
    await app.register(devicePageRoutes(ctx));
    const fleet = new FleetStore(ctx.outbox.db);
    const activity = new ActivityStore(ctx.outbox.db);
    const lag = nodeLagProbe(ctx);

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
        const disclosures = ids
          .slice(0, limit)
          .map((id) => disclosureView(ctx.outbox.disclosures.get(id)!, ctx.outbox.aggregates));
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
