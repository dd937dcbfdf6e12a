// What a gateway is built from. `buildApp(options)` takes these directly (tests build
// them in code); `main.ts` reads them from the environment (config.ts).

import type { FastifyServerOptions } from "fastify";
import type { Hex } from "viem";
import type { GatewayLimits } from "./limits.js";
import type { Secret } from "./util/secrets.js";

/** Where inputs go. Without it the gateway accepts and seals, but nothing leaves the outbox. */
export interface ChainOptions {
  /** The base chain's JSON-RPC endpoint (anvil locally). */
  rpcUrl: string;
  /** InputBox address; default the canonical v2.2.0 deployment. */
  inputBox?: Hex;
  /** Gas limit headroom over eth_estimateGas, in percent. Default 20. */
  gasHeadroomPercent?: number;
  /** A transaction not mined after this long is replaced with higher fees (same nonce). Default 30 s. */
  replaceAfterMs?: number;
  /** Fee bump per replacement, in percent (nodes require at least 10). Default 25. */
  replaceBumpPercent?: number;
  /** Never pay more than this maxFeePerGas (wei). Default 500 gwei. */
  maxFeePerGas?: bigint;
  /** Inputs with a sent transaction not yet mined, at most. Default 16. */
  maxInFlight?: number;
  /** Poll interval of the submit loop. Default 250 ms. */
  pollMs?: number;
  /** Blocks below the latest taken as final when the RPC has no `finalized` block tag. Default 64. */
  finalityDepth?: number;
  /** Mined inputs are re-checked (still in a canonical block?) this often. Default 1000 ms. */
  watchMs?: number;
  /** Inputs in the newest this many blocks are re-checked even once final (a chain that reorganises below its finalized tag). Default 64. */
  watchDepth?: number;
}

/** When /healthz calls the pipeline stalled (README "Health"). */
export interface HealthOptions {
  /** A reading or input has waited this long for the chain, which answers, and nothing was mined meanwhile. Default 300 s. */
  stallSeconds?: number;
  /** A mined input has waited this long for the node's verdict, which answers, and no verdict came meanwhile. Default 3600 s. */
  verdictStallSeconds?: number;
  /** A settlement voucher has waited this long for execution. Default 7200 s. */
  settlementStallSeconds?: number;
  /** A background loop's passes have failed (not for want of an answer) this long. Default 60 s. */
  loopFailingSeconds?: number;
}

/** How record batches are packed. */
export interface BatcherOptions {
  /** Longest a queued reading waits for a fuller batch (ms). Default 2000. */
  maxDelayMs?: number;
  /** Most records in one input (≤ the protocol's MAX_BATCH_RECORDS). Default: as many as fit. */
  maxRecords?: number;
  /** Largest payload of one input (≤ the protocol's MAX_PAYLOAD_LENGTH). Default: MAX_PAYLOAD_LENGTH. */
  maxPayloadBytes?: number;
}

/** Where the dApp's verdicts are read. */
export interface FollowerOptions {
  kind: "jsonrpc" | "graphql";
  /** The node's JSON-RPC endpoint (…/rpc) or GraphQL endpoint (…/graphql). */
  url: string;
  /** Default 500 ms. */
  pollMs?: number;
}

/** Period settlement (PROTOCOL §9): needs `chain` and a JSON-RPC `follower`. */
export interface SettlementOptions {
  /** Check every this many ms whether a tick is due, and send one; unset = no tick timer. */
  tickMs?: number;
  /** Key of the account that executes settlement vouchers (not the submitter's); unset = only watch for executions. */
  executorKey?: Secret<Hex>;
  /** Poll interval of the settlement follower and the voucher executor. Default 1000 ms. */
  pollMs?: number;
}

/**
 * Dual mode during a migration: every reading committed to the outbox is also forwarded
 * to a legacy lcore MVP node's `POST /device/data` (mvp/mirror.ts, README "Migration").
 */
export interface MirrorOptions {
  /** The legacy node's base URL; readings go to `<url>/device/data`. */
  url: string;
  /** Poll interval of the mirror loop when idle. Default 250 ms. */
  pollMs?: number;
  /** Longest wait for one answer of the legacy node. Default 5000 ms. */
  timeoutMs?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Per-reading failures (5xx other than 502/503/504) before the reading is given up as failed. Default 5. */
  maxAttempts?: number;
  /** Backoff after a failure doubles from minBackoffMs up to maxBackoffMs. Default 500, 30000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Every this many passes the comparison also walks one page of all uncompared readings.
   * Each pass compares by input index; an input whose inclusion was recorded after a later
   * one's is processed behind that window and is compared only by this sweep. Default 600
   * (at the default 250 ms poll, at least every 2.5 min). Tests lower it; not an env var.
   */
  sweepPasses?: number;
}

export interface GatewayOptions {
  /** The outbox SQLite file. */
  outboxPath: string;
  /** The data owner's 32-byte master key (PROTOCOL §2). Never logged, never sent. */
  ownerKey: Secret<Uint8Array>;
  /** Bearer token for owner routes. */
  ownerToken: Secret<string>;
  /** Private key of the account that submits inputs; with auth = sender it is the devices' owner on chain. */
  submitterKey: Secret<Hex>;
  /** The Cartesi Application contract. */
  app: Hex;
  chainId: bigint;
  limits?: Partial<GatewayLimits>;
  /**
   * The unauthenticated MVP routes /device/register and /device/data. Default false: anyone
   * who can reach them registers devices (spending the submitter's gas) and posts data, as
   * the MVP allowed; an operator turns them on for a migration and gets a warning at start-up.
   */
  mvpCompat?: boolean | undefined;
  /** MVP `data` as JSON: the field whose number is the reading's value, and its scale (PROTOCOL §12.7). */
  mvpValue?: { field?: string | undefined; scale: number } | undefined;
  /** lcore-device-sdk: register every device at once with this value field and scale, instead of waiting for the owner. */
  deviceSdk?: { autoApprove?: { valueField: string; scale: number } | undefined } | undefined;
  chain?: ChainOptions;
  batcher?: BatcherOptions;
  follower?: FollowerOptions;
  settlement?: SettlementOptions;
  /** Fastify/pino logger options; default: no logging (tests). */
  logger?: FastifyServerOptions["logger"];
  /** Log one line per request (costs throughput). Default false. */
  logRequests?: boolean;
  /** Prefer OpenSSL over libsecp256k1 (tests of the fallback). */
  signatureBackend?: "libsecp256k1" | "openssl";
  /** Clock (ms since epoch); tests move it. */
  nowMs?: () => number;
  /** Forward accepted readings to a legacy MVP node as well (dual mode). */
  mirror?: MirrorOptions;
  /** Set the Cartesi pause switch at start (persisted); unset keeps the outbox's flag. */
  cartesiPaused?: boolean;
  health?: HealthOptions;
  /** The web console's settings (console/fleetRoutes.ts). */
  console?: ConsoleOptions;
}

export interface ConsoleOptions {
  /** A block explorer's transaction page, `{tx}` standing for the 0x hash (e.g. https://explorer.example/tx/{tx}); unset: no links. */
  explorerTxUrl?: string;
}
