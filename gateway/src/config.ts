// GatewayOptions from the environment, for `lcore-gateway` (main.ts). Secrets come from
// NAME_FILE (preferred) or NAME; everything else from plain variables. gateway/README.md
// lists them. A bad value stops the start with a message naming the variable, never
// its value.

import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { DEFAULT_LIMITS, type GatewayLimits } from "./limits.js";
import type { GatewayOptions } from "./options.js";
import {
  type Secret,
  SecretConfigError,
  parseKey32,
  parseOwnerToken,
  parsePrivateKey,
  readSecretText,
} from "./util/secrets.js";

/** The gateway's port when LCORE_GW_PORT is unset: `npm start`'s, and not the devnet node's 8080. */
export const DEFAULT_GATEWAY_PORT = 3000;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface ListenConfig {
  host: string;
  port: number;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v === "") throw new ConfigError(`${name} is required`);
  return v;
}

function address(env: NodeJS.ProcessEnv, name: string): Hex {
  const v = required(env, name);
  if (!ADDRESS.test(v)) throw new ConfigError(`${name} must be a 0x-prefixed 20-byte address`);
  return v as Hex;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const v = env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min}`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === "") return fallback;
  if (["1", "true", "yes", "on"].includes(v.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(v.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 0 or 1`);
}

/** LCORE_GW_LIMIT_<UPPER_SNAKE of the GatewayLimits field>, e.g. LCORE_GW_LIMIT_DEVICE_RATE_PER_SECOND. */
export function limitVariable(field: keyof GatewayLimits): string {
  return `LCORE_GW_LIMIT_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function secret<T>(env: NodeJS.ProcessEnv, name: string, parse: (text: string, name: string) => Secret<T>): Secret<T> {
  try {
    const text = readSecretText(env, name);
    if (text === undefined) throw new ConfigError(`${name}_FILE or ${name} is required`);
    return parse(text, name);
  } catch (error) {
    if (error instanceof SecretConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Like `secret`, but absent is undefined rather than an error. */
function optionalSecret<T>(
  env: NodeJS.ProcessEnv,
  name: string,
  parse: (text: string, name: string) => Secret<T>,
): Secret<T> | undefined {
  const set = [name, `${name}_FILE`].some((n) => env[n] !== undefined && env[n] !== "");
  return set ? secret(env, name, parse) : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv): { options: GatewayOptions; listen: ListenConfig } {
  const limits: Partial<GatewayLimits> = {};
  for (const field of Object.keys(DEFAULT_LIMITS) as (keyof GatewayLimits)[]) {
    const name = limitVariable(field);
    if (env[name] !== undefined && env[name] !== "")
      limits[field] = int(env, name, DEFAULT_LIMITS[field], field === "groupCommitDelayMs" ? 0 : 1);
  }
  const chainId = required(env, "LCORE_GW_CHAIN_ID");
  if (!/^[0-9]{1,20}$/.test(chainId)) throw new ConfigError("LCORE_GW_CHAIN_ID must be a decimal integer");

  const options: GatewayOptions = {
    outboxPath: env.LCORE_GW_OUTBOX ?? join(env.LCORE_GW_DATA_DIR ?? ".lcore/gateway", "outbox.db"),
    ownerKey: secret(env, "LCORE_GW_OWNER_KEY", parseKey32),
    ownerToken: secret(env, "LCORE_GW_OWNER_TOKEN", parseOwnerToken),
    submitterKey: secret(env, "LCORE_GW_SUBMITTER_KEY", parsePrivateKey),
    app: address(env, "LCORE_GW_APP"),
    chainId: BigInt(chainId),
    limits,
    mvpCompat: flag(env, "LCORE_GW_MVP_COMPAT", false),
    mvpValue: {
      ...(env.LCORE_GW_MVP_VALUE_FIELD ? { field: env.LCORE_GW_MVP_VALUE_FIELD } : {}),
      scale: int(env, "LCORE_GW_MVP_VALUE_SCALE", 3, 0),
    },
    ...(env.LCORE_GW_SDK_AUTO_APPROVE_FIELD
      ? {
          deviceSdk: {
            autoApprove: {
              valueField: env.LCORE_GW_SDK_AUTO_APPROVE_FIELD,
              scale: int(env, "LCORE_GW_SDK_VALUE_SCALE", 0, 0),
            },
          },
        }
      : {}),
    logger: { level: env.LCORE_GW_LOG_LEVEL ?? "info" },
    logRequests: flag(env, "LCORE_GW_LOG_REQUESTS", false),
  };
  if (env.LCORE_GW_RPC_URL !== undefined && env.LCORE_GW_RPC_URL !== "") {
    options.chain = {
      rpcUrl: env.LCORE_GW_RPC_URL,
      ...(env.LCORE_GW_INPUT_BOX ? { inputBox: address(env, "LCORE_GW_INPUT_BOX") } : {}),
      replaceAfterMs: int(env, "LCORE_GW_REPLACE_AFTER_MS", 30_000, 1),
      maxInFlight: int(env, "LCORE_GW_MAX_IN_FLIGHT", 16, 1),
      pollMs: int(env, "LCORE_GW_POLL_MS", 250, 1),
      finalityDepth: int(env, "LCORE_GW_FINALITY_DEPTH", 64, 0),
      watchMs: int(env, "LCORE_GW_WATCH_MS", 1000, 1),
    };
    options.batcher = {
      maxDelayMs: int(env, "LCORE_GW_BATCH_MAX_DELAY_MS", 2000, 0),
      ...(env.LCORE_GW_BATCH_MAX_RECORDS ? { maxRecords: int(env, "LCORE_GW_BATCH_MAX_RECORDS", 1, 1) } : {}),
    };
  }
  if (env.LCORE_GW_NODE_URL !== undefined && env.LCORE_GW_NODE_URL !== "") {
    const kind = env.LCORE_GW_NODE_API ?? "jsonrpc";
    if (kind !== "jsonrpc" && kind !== "graphql") throw new ConfigError("LCORE_GW_NODE_API must be jsonrpc or graphql");
    options.follower = { kind, url: env.LCORE_GW_NODE_URL, pollMs: int(env, "LCORE_GW_FOLLOW_POLL_MS", 500, 1) };
  }
  const executorKey = optionalSecret(env, "LCORE_GW_EXECUTOR_KEY", parsePrivateKey);
  // The submitter counts its own nonces (chain/submitter.ts): a second sender on its account would break them.
  if (
    executorKey !== undefined &&
    privateKeyToAccount(executorKey.reveal()).address === privateKeyToAccount(options.submitterKey.reveal()).address
  ) {
    throw new ConfigError("LCORE_GW_EXECUTOR_KEY must be another account than LCORE_GW_SUBMITTER_KEY");
  }
  const tickMs = env.LCORE_GW_TICK_MS ? int(env, "LCORE_GW_TICK_MS", 0, 1) : undefined;
  options.settlement = {
    ...(tickMs === undefined ? {} : { tickMs }),
    ...(executorKey === undefined ? {} : { executorKey }),
    pollMs: int(env, "LCORE_GW_SETTLEMENT_POLL_MS", 1000, 1),
  };
  const mirror = mirrorOptions(env);
  if (mirror !== undefined) options.mirror = mirror;
  options.health = {
    stallSeconds: int(env, "LCORE_GW_STALL_SECONDS", 300, 1),
    verdictStallSeconds: int(env, "LCORE_GW_VERDICT_STALL_SECONDS", 3600, 1),
    settlementStallSeconds: int(env, "LCORE_GW_SETTLEMENT_STALL_SECONDS", 7200, 1),
  };
  if (env.LCORE_GW_EXPLORER_TX_URL !== undefined && env.LCORE_GW_EXPLORER_TX_URL !== "") {
    if (!/^https?:\/\/[^\s]*\{tx\}[^\s]*$/.test(env.LCORE_GW_EXPLORER_TX_URL))
      throw new ConfigError(
        "LCORE_GW_EXPLORER_TX_URL must be an http(s) URL with {tx} where the transaction hash goes",
      );
    options.console = { explorerTxUrl: env.LCORE_GW_EXPLORER_TX_URL };
  }
  if (env.LCORE_GW_CARTESI_PAUSED !== undefined && env.LCORE_GW_CARTESI_PAUSED !== "") {
    options.cartesiPaused = flag(env, "LCORE_GW_CARTESI_PAUSED", false);
  }
  return {
    options,
    listen: { host: env.LCORE_GW_HOST ?? "127.0.0.1", port: int(env, "LCORE_GW_PORT", DEFAULT_GATEWAY_PORT, 0) },
  };
}

/** Dual mode's mirror to a legacy MVP node, when LCORE_GW_MIRROR_URL names one. */
function mirrorOptions(env: NodeJS.ProcessEnv): GatewayOptions["mirror"] {
  if (env.LCORE_GW_MIRROR_URL === undefined || env.LCORE_GW_MIRROR_URL === "") return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(env.LCORE_GW_MIRROR_URL))
    throw new ConfigError("LCORE_GW_MIRROR_URL must be an http(s) URL");
  return {
    url: env.LCORE_GW_MIRROR_URL,
    pollMs: int(env, "LCORE_GW_MIRROR_POLL_MS", 250, 1),
    timeoutMs: int(env, "LCORE_GW_MIRROR_TIMEOUT_MS", 5000, 1),
    concurrency: int(env, "LCORE_GW_MIRROR_CONCURRENCY", 4, 1),
    maxAttempts: int(env, "LCORE_GW_MIRROR_MAX_ATTEMPTS", 5, 1),
  };
}
