// buildApp: the Fastify instance with every route, not listening. Tests drive it with
// app.inject; main.ts calls listen. Closing the app closes everything it opened, in an
// order that leaves nothing half-written: stop taking requests, let in-flight ones
// finish (their group commit included), stop the background workers, close the outbox.

import { ioidRoutes } from "./ioid/ioidRoutes.js";
import { devicesdkRoutes } from "./devicesdk/devicesdkRoutes.js";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { createContext, type GatewayContext } from "./context.js";
import { clientErrorHandler, frameworkErrors, installErrorHandling } from "./http/errorHandler.js";
import { installSecurityHeaders } from "./http/securityHeaders.js";
import type { GatewayOptions } from "./options.js";
import { Mirror, mirrorSettings } from "./mvp/mirror.js";
import { Loop } from "./loop.js";
import { Pipeline } from "./pipeline.js";
import { consoleRoutes } from "./console/consoleRoutes.js";
import { deviceRoutes } from "./devices/deviceRoutes.js";
import { disclosureRoutes } from "./disclosures/disclosureRoutes.js";
import { dualModeRoutes } from "./mvp/dualModeRoutes.js";
import { mvpRoutes } from "./mvp/mvpRoutes.js";
import { proofRoutes } from "./settlement/proofRoutes.js";
import { evidenceRoutes } from "./evidence/evidenceRoutes.js";
import { migrationRoutes } from "./mvp/migrationRoutes.js";
import { readingRoutes } from "./readings/readingRoutes.js";
import { systemRoutes } from "./system/systemRoutes.js";

export type GatewayApp = FastifyInstance & { gateway: GatewayContext };

/** Log paths that could ever hold a secret; pino replaces them even if some code logs them by mistake. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "headers.authorization",
  "*.ownerKey",
  "*.ownerToken",
  "*.submitterKey",
  "*.executorKey",
  "*.privateKey",
  "*.token",
  "*.body",
];

/** The loops: started once the app is ready, stopped before the outbox closes. */
function background(app: FastifyInstance, ctx: GatewayContext, options: GatewayOptions): void {
  const pipeline = options.chain === undefined ? undefined : new Pipeline(ctx, app.log);
  if (pipeline !== undefined) app.addHook("onReady", () => pipeline.start());
  // The mirror runs with or without a chain: dual mode may start before the Cartesi path does.
  let mirrorLoop: Loop | undefined;
  if (options.mirror !== undefined) {
    const mirror = new Mirror(ctx, mirrorSettings(options.mirror));
    const loop = new Loop("mirror", options.mirror.pollMs ?? 250, () => mirror.step(Date.now()), app.log, ctx.health);
    mirrorLoop = loop;
    app.addHook("onReady", async () => {
      await mirror.start();
      loop.start();
    });
  }
  app.addHook("onClose", async () => {
    await mirrorLoop?.stop();
    await pipeline?.stop();
    await ctx.outbox.close();
  });
}

export async function buildApp(options: GatewayOptions): Promise<GatewayApp> {
  const ctx = createContext(options);
  const logger =
    options.logger === undefined || options.logger === false
      ? false
      : {
          ...(options.logger === true ? {} : options.logger),
          redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
        };
  const app = Fastify({
    logger,
    logController: new LogController({ disableRequestLogging: options.logRequests !== true }),
    bodyLimit: ctx.limits.bodyBytes,
    // Requests still arriving on kept-alive connections while closing get a 503.
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Errors raised before a route or before a request exists answer in the gateway's shape too.
    frameworkErrors,
    clientErrorHandler,
    ajv: {
      customOptions: {
        // Reject, never silently fix: no type coercion of bodies, no dropping of unknown fields.
        coerceTypes: false,
        removeAdditional: false,
        allErrors: false,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  ctx.health.log = app.log;
  try {
    // Only JSON bodies: a text/plain body is 415, not a string that fails validation.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("application/json", { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));
    installErrorHandling(app);

    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "lcore gateway",
          version: "0.1.0",
          description:
            "Device-facing API: signed readings in, sealed records to the Cartesi InputBox. Error codes: see gateway/README.md.",
        },
        components: {
          securitySchemes: { ownerToken: { type: "http", scheme: "bearer", description: "the owner token" } },
        },
      },
    });
    // staticCSP: the API docs page sets its own Content-Security-Policy (with the hashes of its inline parts).
    await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
    installSecurityHeaders(app);

    await app.register(systemRoutes(ctx));
    await app.register(consoleRoutes(ctx));
    await app.register(readingRoutes(ctx));
    await app.register(deviceRoutes(ctx));
    await app.register(mvpRoutes(ctx));
    await app.register(disclosureRoutes(ctx));
    await app.register(proofRoutes(ctx));
    await app.register(evidenceRoutes(ctx));
    await app.register(dualModeRoutes(ctx));
    if (options.cartesiPaused !== undefined) await ctx.cartesi.set(options.cartesiPaused);
    await app.register(migrationRoutes(ctx));
    await app.register(ioidRoutes(ctx));
    await app.register(devicesdkRoutes(ctx));

    let closing = false;
    app.addHook("preClose", async () => {
      // New readings are refused from here on; the ones being stored finish below.
      closing = true;
      ctx.ingest.close();
    });
    // Answers given while closing end their connection, so a kept-alive client does not
    // hold the server open until its keep-alive timeout.
    app.addHook("onSend", async (_request, reply) => {
      if (closing) void reply.header("connection", "close");
    });
    if (options.mvpCompat === true) {
      app.log.warn(
        "MVP compatibility routes are ON (LCORE_GW_MVP_COMPAT=1): POST /device/register and /device/data take unauthenticated requests, as the MVP did; turn them off once devices sign their readings",
      );
    }
    background(app, ctx, options);
    app.decorate("gateway", ctx);
    return app as unknown as GatewayApp;
  } catch (error) {
    await ctx.outbox.close();
    throw error;
  }
}
