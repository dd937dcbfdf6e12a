// A fleet gateway from the environment (main.ts, when LCORE_GW_FLEET_APPS is set): every
// variable of a single gateway applies to each shard, except the ones that must differ per
// shard, given as lists in shard order:
//   LCORE_GW_FLEET_APPS                       0xApp0,0xApp1,…  (the shards' applications)
//   LCORE_GW_FLEET_SUBMITTER_KEYS(_FILE)      one private key per shard (comma or newline separated)
//   LCORE_GW_FLEET_EXECUTOR_KEYS(_FILE)       optional, one per shard
//   LCORE_GW_FLEET_REGISTRY                   optional: LcoreFleet's address, shown in /v1/fleet
// Shard i's outbox is <LCORE_GW_DATA_DIR>/shard-<i>/outbox.db; with LCORE_GW_NODE_API=graphql and a
// LCORE_GW_NODE_URL ending in /graphql, shard i follows <url>/<application i>.

import { join } from "node:path";
import { ConfigError, type ListenConfig, loadConfig } from "../config.js";
import { SecretConfigError, readSecretText } from "../util/secrets.js";
import type { FleetOptions } from "./fleetOptions.js";
import { MAX_SHARDS } from "./shardRule.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** undefined when LCORE_GW_FLEET_APPS is not set (a single-application gateway). */
export function loadFleetConfig(env: NodeJS.ProcessEnv): { options: FleetOptions; listen: ListenConfig } | undefined {
  const apps = list(env.LCORE_GW_FLEET_APPS);
  if (apps.length === 0) return undefined;
  if (apps.length > MAX_SHARDS) throw new ConfigError(`LCORE_GW_FLEET_APPS lists at most ${MAX_SHARDS} applications`);
  if (!apps.every((a) => ADDRESS.test(a)))
    throw new ConfigError("LCORE_GW_FLEET_APPS must be 0x-prefixed 20-byte addresses, comma separated");
  const submitters = secretList(env, "LCORE_GW_FLEET_SUBMITTER_KEYS", apps.length, true);
  const executors = secretList(env, "LCORE_GW_FLEET_EXECUTOR_KEYS", apps.length, false);
  if (new Set(submitters.map((k) => k.toLowerCase())).size !== submitters.length)
    throw new ConfigError(
      "LCORE_GW_FLEET_SUBMITTER_KEYS must be distinct: each shard's submitter counts its own nonces",
    );
  const dataDir = env.LCORE_GW_DATA_DIR ?? ".lcore/gateway";
  let listen: ListenConfig | undefined;
  const shards = apps.map((app, i) => {
    const config = loadConfig({
      ...env,
      LCORE_GW_APP: app,
      LCORE_GW_OUTBOX: join(dataDir, `shard-${i}`, "outbox.db"),
      LCORE_GW_SUBMITTER_KEY: submitters[i],
      LCORE_GW_SUBMITTER_KEY_FILE: "",
      LCORE_GW_EXECUTOR_KEY: executors[i] ?? "",
      LCORE_GW_EXECUTOR_KEY_FILE: "",
    });
    listen = config.listen;
    // GraphQL is served per application (/graphql/<application>); JSON-RPC names it in each call.
    const follower = config.options.follower;
    if (follower?.kind === "graphql" && /\/graphql\/?$/.test(follower.url))
      follower.url = `${follower.url.replace(/\/$/, "")}/${app}`;
    return config.options;
  });
  const registry = env.LCORE_GW_FLEET_REGISTRY;
  if (registry !== undefined && registry !== "" && !ADDRESS.test(registry))
    throw new ConfigError("LCORE_GW_FLEET_REGISTRY must be a 0x-prefixed 20-byte address");
  const options: FleetOptions = {
    shards,
    logger: { level: env.LCORE_GW_LOG_LEVEL ?? "info" },
    ...(registry ? { registry: registry as `0x${string}` } : {}),
  };
  return { options, listen: listen! };
}

function list(text: string | undefined): string[] {
  return (text ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A list secret with one entry per shard; its content never appears in an error. */
function secretList(env: NodeJS.ProcessEnv, name: string, count: number, required: boolean): string[] {
  let text: string | undefined;
  try {
    text = readSecretText(env, name);
  } catch (error) {
    if (error instanceof SecretConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const keys = list(text);
  if (keys.length === 0 && !required) return [];
  if (keys.length !== count) throw new ConfigError(`${name}(_FILE) must hold ${count} keys, one per shard`);
  return keys;
}
