// buildFleetApp: one gateway in front of a fleet of applications (docs/PROTOCOL.md, "Fleet").
// Each shard is a whole gateway (buildApp) for its own application: its own outbox file,
// submitter and executor accounts, batcher, follower, settlement loops and metrics, so a shard
// whose node or dApp stalls holds back only its own readings (they wait in its outbox) while
// the others flow. The front routes each request to the shard of the device it names
// (fleetRouter.ts) and answers the fleet-wide routes itself: /v1/fleet, /v1/info, /metrics,
// /healthz, /console/fleet, and /v1/fleet/shards/{i}/… to reach any route of one shard.

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { buildApp, type GatewayApp, REDACTED_LOG_PATHS } from "../app.js";
import type { GatewayContext } from "../context.js";
import { installErrorHandling } from "../http/errorHandler.js";
import { GatewayError } from "../http/errors.js";
import { FLEET_PANEL_HTML } from "./fleetPanel.js";
import { fleetMetricsText } from "./fleetMetrics.js";
import type { FleetOptions } from "./fleetOptions.js";
import { devicesOf, shardOfDevice } from "./fleetRouter.js";
import { FleetStatus } from "./fleetStatus.js";
import { MAX_SHARDS } from "./shardRule.js";

export type FleetApp = FastifyInstance & { fleet: { shards: GatewayApp[]; status: FleetStatus } };

/** Request headers a shard needs, and answer headers the client gets back. */
const FORWARDED_REQUEST_HEADERS = ["authorization", "content-type", "accept"] as const;
const RETURNED_HEADERS = ["content-type", "retry-after", "location"] as const;

export async function buildFleetApp(options: FleetOptions): Promise<FleetApp> {
  const count = options.shards.length;
  if (count < 1 || count > MAX_SHARDS) throw new RangeError(`a fleet has 1..${MAX_SHARDS} shards, got ${count}`);
  const shards: GatewayApp[] = [];
  try {
    for (const shard of options.shards) shards.push(await buildApp(shard));
  } catch (error) {
    await Promise.all(shards.map((s) => s.close()));
    throw error;
  }
  const status = new FleetStatus(shards.map((s) => s.gateway));
  const logger =
    options.logger === undefined || options.logger === false
      ? false
      : {
          ...(options.logger === true ? {} : options.logger),
          redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
        };
  const app = Fastify({
    logger,
    bodyLimit: Math.max(...shards.map((s) => s.gateway.limits.batchBodyBytes)),
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  installErrorHandling(app);
  // Bodies stay the client's bytes: the shard parses and validates them as it always does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  app.addHook("onReady", async () => {
    await Promise.all(shards.map((s) => s.ready()));
    status.start(options.claimPollMs ?? 2000);
  });
  app.addHook("onClose", async () => {
    status.stop();
    await Promise.all(shards.map((s) => s.close()));
  });
  fleetRoutes(app, shards, status, options);
  app.decorate("fleet", { shards, status });
  return app as unknown as FleetApp;
}

function fleetRoutes(app: FastifyInstance, shards: GatewayApp[], status: FleetStatus, options: FleetOptions): void {
  const contexts = shards.map((s) => s.gateway);
  app.get("/v1/fleet", async () => ({
    shards: await status.snapshot(),
    rule: "shard = uint64(keccak256(device)[0..8]) mod shards, at registration; a registered device stays",
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  }));
  app.get("/console/fleet", async (_request, reply) => reply.type("text/html; charset=utf-8").send(FLEET_PANEL_HTML));
  // A fleet's console is its panel; each shard's own console stays at /v1/fleet/shards/{i}/.
  app.get("/", async (_request, reply) => reply.redirect("/console/fleet"));
  app.get("/metrics", async (_request, reply) =>
    reply
      .type("text/plain; version=0.0.4; charset=utf-8")
      .send(await fleetMetricsText(contexts, await status.snapshot())),
  );
  app.get("/healthz", async () => {
    const each = await Promise.all(shards.map((s) => s.inject({ method: "GET", url: "/healthz" })));
    const bodies = each.map((r, shard) => ({ shard, ...(r.json() as { status: string }) }));
    return { status: bodies.every((b) => b.status === "ok") ? "ok" : "degraded", shards: bodies };
  });
  // A device asks which shard it registers in, and signs that shard's registration digest.
  app.get<{ Querystring: { device?: string } }>("/v1/info", async (request, reply) => {
    const device = request.query.device;
    if (device !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(device))
      throw new GatewayError("LCORE_GW_INVALID_REQUEST", "querystring/device must be a 0x-prefixed 20-byte address");
    const shard = device === undefined ? 0 : shardOfDevice(contexts, device.toLowerCase());
    const info = (await shards[shard]!.inject({ method: "GET", url: "/v1/info" })).json() as object;
    const list = shards.map((s, i) => ({ shard: i, app: s.gateway.app }));
    return reply.send({ ...info, shard, shards: list });
  });
  app.all<{ Params: { index: string; "*": string } }>("/v1/fleet/shards/:index/*", async (request, reply) => {
    const index = Number(request.params.index);
    const shard = Number.isSafeInteger(index) ? shards[index] : undefined;
    if (shard === undefined)
      throw new GatewayError("LCORE_GW_FLEET_SHARD_UNKNOWN", `the fleet has ${shards.length} shards`);
    const rest = request.url.slice(request.url.indexOf("/", `/v1/fleet/shards/${request.params.index}`.length));
    return forward(shard, request, reply, rest);
  });
  app.all("/*", async (request, reply) => {
    const shard = shardFor(contexts, request.url, request.body);
    return forward(shards[shard]!, request, reply, request.url);
  });
}

/** The shard a request goes to; throws when it names none or devices of several shards. */
function shardFor(shards: readonly GatewayContext[], url: string, rawBody?: unknown): number {
  let body: unknown;
  try {
    body = typeof rawBody === "string" && rawBody !== "" ? JSON.parse(rawBody) : undefined;
  } catch {
    return 0; // Not JSON: any shard answers LCORE_GW_MALFORMED_JSON.
  }
  const devices = devicesOf(url, body);
  if (devices === undefined) {
    if (body !== undefined) return 0; // A body naming no device: any shard says what is wrong with it.
    throw new GatewayError(
      "LCORE_GW_ROUTE_NOT_FOUND",
      "this route names no device; a fleet serves it per shard at /v1/fleet/shards/{shard}/…",
    );
  }
  const targets = new Set(devices.map((d) => shardOfDevice(shards, d)));
  if (targets.size > 1)
    throw new GatewayError("LCORE_GW_FLEET_MIXED_BATCH", `the devices are in shards ${[...targets].sort().join(", ")}`);
  return [...targets][0]!;
}

async function forward(
  shard: GatewayApp,
  request: FastifyRequest,
  reply: FastifyReply,
  url: string,
): Promise<FastifyReply> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  const res = await shard.inject({
    method: request.method as "GET",
    url,
    headers,
    ...(typeof request.body === "string" ? { payload: request.body } : {}),
  });
  reply.code(res.statusCode);
  for (const name of RETURNED_HEADERS) {
    const value = res.headers[name];
    if (value !== undefined) reply.header(name, value);
  }
  return reply.send(res.rawPayload);
}
