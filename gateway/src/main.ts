#!/usr/bin/env node
// lcore-gateway: the gateway as a process. Configuration from the environment
// (config.ts); prints one line `lcore-gateway listening on <url>` on stdout when ready.
// SIGTERM or SIGINT: stop taking requests, finish the ones in flight (their readings
// committed), stop the background loops, close the outbox, exit 0. A second signal
// exits at once, which is safe too: nothing on disk depends on a clean exit.

import { buildApp } from "./app.js";
import { ConfigError, DEFAULT_GATEWAY_PORT, loadConfig } from "./config.js";
import { buildFleetApp } from "./fleet/fleetApp.js";
import { loadFleetConfig } from "./fleet/fleetConfig.js";

const USAGE = `usage: lcore-gateway        (configured by the environment, not by flags)

required: LCORE_GW_CHAIN_ID, LCORE_GW_APP, LCORE_GW_OWNER_KEY(_FILE), LCORE_GW_OWNER_TOKEN(_FILE),
          LCORE_GW_SUBMITTER_KEY(_FILE)
common:   LCORE_GW_RPC_URL, LCORE_GW_INPUT_BOX, LCORE_GW_NODE_URL + LCORE_GW_NODE_API (jsonrpc|graphql),
          LCORE_GW_PORT (${DEFAULT_GATEWAY_PORT}), LCORE_GW_HOST, LCORE_GW_DATA_DIR
fleet:    LCORE_GW_FLEET_APPS + LCORE_GW_FLEET_SUBMITTER_KEYS(_FILE) [+ LCORE_GW_FLEET_EXECUTOR_KEYS(_FILE)]:
          one gateway per shard behind one front (gateway/README.md "Fleet")
Every variable and its default: gateway/README.md. \`npm start\` runs it with development keys.`;

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  let fleet: ReturnType<typeof loadFleetConfig>;
  try {
    // A fleet (LCORE_GW_FLEET_APPS) has one gateway per shard behind one front (fleet/).
    fleet = loadFleetConfig(process.env);
    config =
      fleet === undefined ? loadConfig(process.env) : { options: fleet.options.shards[0]!, listen: fleet.listen };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lcore-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = fleet === undefined ? await buildApp(config.options) : await buildFleetApp(fleet.options);
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
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
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
