// The gateway's parts, wired once per instance: outbox, devices, ingest, sealing,
// metrics. Routes and background workers receive this object; nothing is global.

import { privateKeyToAccount } from "viem/accounts";
import { CartesiSwitch } from "./chain/cartesiSwitch.js";
import { DeviceRegistry } from "./devices/deviceRegistry.js";
import { Disclosures } from "./disclosures/disclosures.js";
import type { Hex } from "viem";
import { fromHex } from "@lcore/protocol/bytes";
import { Ingest } from "./readings/ingest.js";
import { DEFAULT_LIMITS, type GatewayLimits } from "./limits.js";
import { createMetrics, type GatewayMetrics } from "./metrics.js";
import { MvpCustodian } from "./mvp/mvpCustodian.js";
import type { GatewayOptions } from "./options.js";
import { Outbox } from "./outbox/outbox.js";
import { createRateLimiter } from "./util/rateLimit.js";
import { Sealer } from "./readings/sealer.js";
import { createSignatureVerifier, type SignatureVerifier } from "./devices/signature.js";
import { Health } from "./system/health.js";
import { type HealthAnswer, healthReport } from "./system/healthReport.js";

export interface GatewayContext {
  options: GatewayOptions;
  limits: GatewayLimits;
  app: Hex;
  appBytes: Uint8Array;
  chainId: bigint;
  /** The submitting account: devices' owner on chain. */
  owner: Hex;
  outbox: Outbox;
  registry: DeviceRegistry;
  ingest: Ingest;
  sealer: Sealer;
  verifier: SignatureVerifier;
  custodian: MvpCustodian;
  metrics: GatewayMetrics;
  nowMs: () => number;
  /** Key disclosures (PROTOCOL §10); ingest asks it which periods are closed to readings. */
  disclosures: Disclosures;
  /** The Cartesi path's pause switch (rollback during a migration). */
  cartesi: CartesiSwitch;
  /** Whether the chain and the node answer, and what has stopped moving (/healthz, /metrics). */
  health: Health;
  /** /healthz's verdict now. */
  healthReport: () => HealthAnswer;
}

export function createContext(options: GatewayOptions): GatewayContext {
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const nowMs = options.nowMs ?? Date.now;
  const appBytes = fromHex(options.app);
  if (appBytes.length !== 20) throw new RangeError("app must be a 20-byte address");
  const owner = privateKeyToAccount(options.submitterKey.reveal()).address;
  const verifier = createSignatureVerifier(options.signatureBackend);
  let outbox: Outbox | undefined;
  let cartesi: CartesiSwitch | undefined;
  const health = new Health();
  const metrics = createMetrics({
    queued: () => outbox?.queued ?? 0,
    mirrorPending: () => outbox?.mirror.pending() ?? 0,
    cartesiPaused: () => cartesi?.paused ?? false,
    upstreams: () => [
      ...(options.chain === undefined ? [] : [health.chain]),
      ...(options.follower === undefined ? [] : [health.node]),
    ],
    health: () => report(),
  });
  const report = () =>
    healthReport({
      health,
      outbox: outbox!,
      hasChain: options.chain !== undefined,
      hasNode: options.follower !== undefined && options.chain !== undefined,
      paused: () => cartesi?.paused ?? false,
      options: options.health,
    });
  outbox = new Outbox({
    path: options.outboxPath,
    groupCommitDelayMs: limits.groupCommitDelayMs,
    groupCommitReadings: limits.groupCommitReadings,
    onCommit: (s) => {
      metrics.groupCommitReadings.observe(s.items);
      metrics.groupCommitSeconds.observe(s.seconds);
    },
  });
  try {
    const registry = new DeviceRegistry(outbox, verifier, {
      app: appBytes,
      chainId: options.chainId,
      owner: fromHex(owner),
      maxDevices: limits.devices,
      metadataBytes: limits.metadataBytes,
    });
    const sealer = new Sealer(options.ownerKey, appBytes);
    const disclosures = new Disclosures({ outbox, registry, sealer });
    const ingest = new Ingest({
      registry,
      verifier,
      sealer,
      outbox,
      metrics,
      limits,
      nowMs,
      disclosures,
      rateLimiter: createRateLimiter(limits.deviceRatePerSecond, limits.deviceRateBurst),
    });
    cartesi = new CartesiSwitch(outbox);
    return {
      options,
      limits,
      app: options.app.toLowerCase() as Hex,
      appBytes,
      chainId: options.chainId,
      owner,
      outbox,
      registry,
      ingest,
      sealer,
      verifier,
      custodian: new MvpCustodian(options.ownerKey),
      metrics,
      nowMs,
      disclosures,
      cartesi,
      health,
      healthReport: report,
    };
  } catch (error) {
    void outbox.close();
    throw error;
  }
}
