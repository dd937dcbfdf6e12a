// The web console: GET / serves the page (built from gateway/console/ by
// scripts/build-console.mjs into dist/console/), GET /v1/overview the public data it draws.
// Plaintext stays behind the owner token: the page asks for it and calls the owner routes
// (GET /v1/devices/{device}/records) itself.

import { readFileSync } from "node:fs";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { GatewayContext } from "../context.js";
import { GatewayError } from "../http/errors.js";
import { toHex } from "@lcore/protocol/bytes";
import { ErrorBody, Overview } from "../http/schemas.js";
import { readingProgress } from "../readings/status.js";
import { deviceView } from "../devices/deviceRoutes.js";
import { fleetRoutes } from "./fleetRoutes.js";
import { ActivityStore } from "../outbox/activityStore.js";

/** Bounds of the overview (documented in gateway/README.md). */
export const OVERVIEW_DEVICES = 200;
export const OVERVIEW_READINGS = 100;
export const OVERVIEW_PERIODS = 48;
/** Devices drawn one by one in the readings-per-minute chart: the hour's busiest. */
export const OVERVIEW_CHART_DEVICES = 20;
const HOUR_MS = 3_600_000;

/** Same place from src/console and dist/console. */
const ASSETS = new URL("../../dist/console/", import.meta.url);
const TYPES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

function asset(name: string): Buffer {
  try {
    return readFileSync(new URL(name, ASSETS));
  } catch {
    throw new GatewayError("LCORE_GW_INTERNAL", "the console is not built (npm run build -w gateway)");
  }
}

/** The node's GraphQL sits beside its JSON-RPC (/rpc → /graphql) on the rollups node and on devnet. */
function links(ctx: GatewayContext): { docs: string; metrics: string; graphql?: string } {
  const follower = ctx.options.follower;
  const graphql =
    follower === undefined
      ? undefined
      : follower.kind === "graphql"
        ? follower.url
        : follower.url.replace(/\/rpc\/?$/, "/graphql");
  return { docs: "/docs", metrics: "/metrics", ...(graphql === undefined ? {} : { graphql }) };
}

export function consoleRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(fleetRoutes(ctx));
    const activity = new ActivityStore(ctx.outbox.db);
    app.get("/", { schema: { hide: true } }, async (_request, reply) =>
      reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(asset("index.html")),
    );
    app.get<{ Params: { file: string } }>("/console/:file", { schema: { hide: true } }, async (request, reply) => {
      const type = TYPES[request.params.file];
      if (type === undefined) throw new GatewayError("LCORE_GW_ROUTE_NOT_FOUND");
      return reply.type(type).send(asset(request.params.file));
    });

    app.get(
      "/v1/overview",
      {
        schema: {
          tags: ["console"],
          summary:
            "Devices, the newest readings with their lifecycle, settlement periods and readings per minute: what the console draws",
          response: { 200: Overview, "4xx": ErrorBody, "5xx": ErrorBody },
        },
      },
      async () => {
        const devices = ctx.registry.list(OVERVIEW_DEVICES).map((d) => {
          const v = deviceView(ctx, d);
          return {
            device: v.device,
            lastSeq: v.lastSeq,
            registration: v.registration,
            chainStatus: v.chainStatus,
            ...(v.chainReason === undefined ? {} : { chainReason: v.chainReason }),
          };
        });
        const readings = ctx.outbox.readings.recent(OVERVIEW_READINGS).map((r) => {
          const p = readingProgress(r, ctx.outbox.settlements);
          return {
            device: toHex(r.device),
            seq: r.seq.toString(),
            status: p.status,
            final: p.final,
            receivedAt: new Date(r.receivedMs).toISOString(),
            ...(p.txHash === undefined ? {} : { txHash: p.txHash }),
            ...(p.inputIndex === undefined ? {} : { inputIndex: p.inputIndex }),
            ...(p.period === undefined ? {} : { period: p.period }),
            ...(p.reason === undefined ? {} : { reason: p.reason }),
          };
        });
        const periods = ctx.outbox.settlements.recentPeriods(OVERVIEW_PERIODS).map((p) => ({
          period: p.period.toString(),
          recordCount: p.recordCount === null ? null : p.recordCount.toString(),
          recordsRoot: p.recordsRoot === null ? null : toHex(p.recordsRoot),
          executedTx: p.executedTx === null ? null : toHex(p.executedTx),
          executedAt: p.executedMs === null ? null : new Date(p.executedMs).toISOString(),
        }));
        const health = ctx.healthReport();
        // A fleet of 10,000 would make 600,000 points an hour: the busiest devices one by one, and the total.
        const perMinute = activity
          .perMinuteTop(ctx.nowMs() - HOUR_MS, OVERVIEW_CHART_DEVICES)
          .map((m) => ({ ...m, device: toHex(m.device) }));
        const perMinuteTotal = activity.perMinuteTotal(ctx.nowMs() - HOUR_MS);
        return {
          devices,
          readings,
          periods,
          perMinute,
          perMinuteTotal,
          nowMinute: Math.floor(ctx.nowMs() / 60_000),
          links: links(ctx),
          health: { status: health.degraded ? ("degraded" as const) : ("ok" as const), reasons: health.reasons },
        };
      },
    );
  };
}
