#!/usr/bin/env node
// lcore-gateway: the gateway as a process. Configuration from the environment
// (config.ts); prints one line `lcore-gateway listening on <url>` on stdout when ready.
// SIGTERM or SIGINT: stop taking requests, finish the ones in flight (their readings
// committed), stop the background loops, close the outbox, exit 0. A second signal
// exits at once, which is safe too: nothing on disk depends on a clean exit.

import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lcore-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await buildApp(config.options);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    app.log.info({ signal }, "shutting down");
    // Bounded: exiting without the rest is safe too (every answered reading is on disk).
    setTimeout(() => {
      app.log.warn("shutdown took longer than 15 s; exiting");
      process.exit(1);
    }, 15_000).unref();
    app.close().then(() => process.exit(0), (error: unknown) => {
      app.log.error({ err: error }, "shutdown failed");
      process.exit(1);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  const url = await app.listen({ host: config.listen.host, port: config.listen.port });
  process.stdout.write(`lcore-gateway listening on ${url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`lcore-gateway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
