// Prometheus metrics, served at GET /metrics. One registry per gateway instance, so
// tests that build several apps in one process do not collide.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Upstream } from "./system/health.js";

/** The ingest path and the outbox. */
export interface IngestMetrics {
  readingsAccepted: Counter;
  readingsRejected: Counter<"code">;
  outboxQueued: Gauge;
  groupCommitReadings: Histogram;
  groupCommitSeconds: Histogram;
}

/** Batches, their transactions, and the dApp's verdicts. */
export interface ChainMetrics {
  batchRecords: Histogram;
  batchBytes: Histogram;
  inputsSubmitted: Counter<"kind">;
  submitSeconds: Histogram;
  submitErrors: Counter<"stage">;
  txReplacements: Counter;
  gasUsed: Counter<"kind">;
  gasPerRecord: Histogram;
  readingOutcomes: Counter<"outcome" | "reason">;
}

/** Dual mode during a migration from the MVP (mvp/mirror.ts) and the Cartesi pause switch. */
export interface DualModeMetrics {
  mirrorSent: Counter<"legacy">;
  mirrorFailed: Counter;
  mirrorSkipped: Counter;
  mirrorHistory: Counter;
  mirrorUnavailable: Counter;
  mirrorPending: Gauge;
  mirrorAgreements: Counter<"outcome">;
  mirrorDivergences: Counter<"kind">;
  cartesiPaused: Gauge;
}

/** The chain misbehaving and the gateway recovering: outages, reorganisations, finality, stalls. */
export interface ResilienceMetrics {
  upstreamUp: Gauge<"upstream">;
  upstreamSinceSuccess: Gauge<"upstream">;
  inputsReorged: Counter<"kind">;
  inputsFinal: Counter;
  txRebroadcasts: Counter;
  nonceGapFills: Counter;
  chainBlock: Gauge<"tag">;
  voucherWaits: Counter<"reason">;
  healthDegraded: Gauge;
  oldestWaiting: Gauge<"stage">;
}

export interface GatewayMetrics extends IngestMetrics, ChainMetrics, DualModeMetrics, ResilienceMetrics {
  registry: Registry;
}

/** What /healthz computes, as the gauges read it (system/healthReport.ts). */
export interface HealthFigures {
  degraded: boolean;
  /** Seconds the oldest item of each stage has waited (null: nothing waits). */
  oldest: { inclusion: number | null; verdict: number | null };
}

/** What the gauges read when scraped. */
export interface MetricsSources {
  queued: () => number;
  mirrorPending?: () => number;
  cartesiPaused?: () => boolean;
  /** The configured upstreams (chain, node). */
  upstreams?: () => Upstream[];
  health?: () => HealthFigures;
}

/** Every metric, registered (and so listed at /metrics) in this order, with Node's process metrics. */
export function createMetrics(sources: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "lcore_gw_process_" });
  const registers = [registry];
  return {
    registry,
    ...ingestMetrics(registers, sources),
    ...chainMetrics(registers),
    ...dualModeMetrics(registers, sources),
    ...resilienceMetrics(registers, sources),
  };
}

function ingestMetrics(registers: Registry[], opts: MetricsSources): IngestMetrics {
  return {
    readingsAccepted: new Counter({
      name: "lcore_gw_readings_accepted_total",
      help: "Readings verified, sealed and committed to the outbox (answered 202)",
      registers,
    }),
    readingsRejected: new Counter({
      name: "lcore_gw_readings_rejected_total",
      help: "Readings refused at the gateway, by error code",
      labelNames: ["code"] as const,
      registers,
    }),
    outboxQueued: new Gauge({
      name: "lcore_gw_outbox_queued_readings",
      help: "Readings in the outbox not yet packed into an input",
      registers,
      collect() {
        this.set(opts.queued());
      },
    }),
    groupCommitReadings: new Histogram({
      name: "lcore_gw_group_commit_readings",
      help: "Readings per outbox transaction (one fsync each)",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers,
    }),
    groupCommitSeconds: new Histogram({
      name: "lcore_gw_group_commit_seconds",
      help: "Time to write and fsync one outbox transaction",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
      registers,
    }),
  };
}

function chainMetrics(registers: Registry[]): ChainMetrics {
  return {
    batchRecords: new Histogram({
      name: "lcore_gw_batch_records",
      help: "Records per record-batch input",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 339],
      registers,
    }),
    batchBytes: new Histogram({
      name: "lcore_gw_batch_bytes",
      help: "Payload bytes per input",
      buckets: [256, 1024, 4096, 16384, 32768, 49152, 65216],
      registers,
    }),
    inputsSubmitted: new Counter({
      name: "lcore_gw_inputs_included_total",
      help: "Inputs whose transaction was mined (InputAdded seen), by kind",
      labelNames: ["kind"] as const,
      registers,
    }),
    submitSeconds: new Histogram({
      name: "lcore_gw_submit_latency_seconds",
      help: "From an input's first signed transaction to its receipt",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    submitErrors: new Counter({
      name: "lcore_gw_submit_errors_total",
      help: "Errors on the submit path, by stage (estimate, send, receipt, reverted)",
      labelNames: ["stage"] as const,
      registers,
    }),
    txReplacements: new Counter({
      name: "lcore_gw_tx_replacements_total",
      help: "Stuck transactions replaced with higher fees (same nonce)",
      registers,
    }),
    gasUsed: new Counter({
      name: "lcore_gw_gas_used_total",
      help: "Gas used by mined input transactions, by kind",
      labelNames: ["kind"] as const,
      registers,
    }),
    gasPerRecord: new Histogram({
      name: "lcore_gw_gas_per_record",
      help: "Gas used per record in record-batch inputs",
      buckets: [2000, 3000, 4000, 5000, 6000, 8000, 10000, 20000, 50000, 100000],
      registers,
    }),
    readingOutcomes: new Counter({
      name: "lcore_gw_reading_outcomes_total",
      help: "The dApp's verdict on relayed readings (accepted, or rejected by reason), and readings withdrawn unsent because the chain refuses their device (rejected, reason registration_rejected:… or device_revoked)",
      labelNames: ["outcome", "reason"] as const,
      registers,
    }),
  };
}

/** Counters start from the outbox's totals at start (mvp/mirror.ts). */
function dualModeMetrics(registers: Registry[], opts: MetricsSources): DualModeMetrics {
  return {
    mirrorSent: new Counter({
      name: "lcore_gw_mirror_sent_total",
      help: "Readings the legacy MVP node answered: accepted (2xx) or refused (4xx)",
      labelNames: ["legacy"] as const,
      registers,
    }),
    mirrorFailed: new Counter({
      name: "lcore_gw_mirror_failed_total",
      help: "Readings given up after the legacy node failed on them maxAttempts times (5xx)",
      registers,
    }),
    mirrorSkipped: new Counter({
      name: "lcore_gw_mirror_skipped_total",
      help: "Readings never sent to the legacy node: over the mirror's pending bound",
      registers,
    }),
    mirrorHistory: new Counter({
      name: "lcore_gw_mirror_history_total",
      help: "Readings migrated from the MVP (lcore migrate): its history, not sent back to the legacy node",
      registers,
    }),
    mirrorUnavailable: new Counter({
      name: "lcore_gw_mirror_unavailable_total",
      help: "Mirror passes that found the legacy node unreachable (network error, timeout, 408, 429, 502-504); retried",
      registers,
    }),
    mirrorPending: new Gauge({
      name: "lcore_gw_mirror_pending_readings",
      help: "Readings committed but not yet answered by the legacy node",
      registers,
      collect() {
        this.set(opts.mirrorPending?.() ?? 0);
      },
    }),
    mirrorAgreements: new Counter({
      name: "lcore_gw_mirror_agreements_total",
      help: "Readings both the dApp and the legacy node accepted, or both refused",
      labelNames: ["outcome"] as const,
      registers,
    }),
    mirrorDivergences: new Counter({
      name: "lcore_gw_mirror_divergences_total",
      help: "Readings accepted by one side and refused by the other: cartesi_only (dApp accepted, legacy refused) or legacy_only",
      labelNames: ["kind"] as const,
      registers,
    }),
    cartesiPaused: new Gauge({
      name: "lcore_gw_cartesi_paused",
      help: "1 while the Cartesi path is paused (nothing batched or submitted), else 0",
      registers,
      collect() {
        this.set(opts.cartesiPaused?.() === true ? 1 : 0);
      },
    }),
  };
}

function upstreamGauges(
  registers: Registry[],
  opts: MetricsSources,
): Pick<ResilienceMetrics, "upstreamUp" | "upstreamSinceSuccess"> {
  const startMs = Date.now();
  return {
    upstreamUp: new Gauge({
      name: "lcore_gw_upstream_up",
      help: "1 while the upstream answers (upstream=chain: the chain's JSON-RPC; node: the rollups node), 0 from a call it did not answer until its next answer",
      labelNames: ["upstream"] as const,
      registers,
      collect() {
        for (const u of opts.upstreams?.() ?? []) this.set({ upstream: u.name }, u.up ? 1 : 0);
      },
    }),
    upstreamSinceSuccess: new Gauge({
      name: "lcore_gw_upstream_seconds_since_success",
      help: "Seconds since the upstream last answered a call (since start while it never has)",
      labelNames: ["upstream"] as const,
      registers,
      collect() {
        for (const u of opts.upstreams?.() ?? [])
          this.set({ upstream: u.name }, (Date.now() - (u.lastSuccessMs ?? startMs)) / 1000);
      },
    }),
  };
}

function resilienceMetrics(registers: Registry[], opts: MetricsSources): ResilienceMetrics {
  return {
    ...upstreamGauges(registers, opts),
    inputsReorged: new Counter({
      name: "lcore_gw_inputs_reorged_total",
      help: "Inputs whose recorded inclusion the chain no longer has: vanished (sent again) or moved (mined again elsewhere)",
      labelNames: ["kind"] as const,
      registers,
    }),
    inputsFinal: new Counter({
      name: "lcore_gw_inputs_final_total",
      help: "Inputs seen in a block at or below the chain's finalized block",
      registers,
    }),
    txRebroadcasts: new Counter({
      name: "lcore_gw_tx_rebroadcasts_total",
      help: "Transactions the chain's node no longer knew (dropped, or lost in a restart or reorganisation), sent again as the same bytes",
      registers,
    }),
    nonceGapFills: new Counter({
      name: "lcore_gw_nonce_gap_fills_total",
      help: "Empty transactions sent to fill a nonce no input of the gateway holds, so the inputs behind it can be mined",
      registers,
    }),
    chainBlock: new Gauge({
      name: "lcore_gw_chain_block",
      help: "The chain's latest and finalized block numbers, as the inclusion watch last read them",
      labelNames: ["tag"] as const,
      registers,
    }),
    voucherWaits: new Counter({
      name: "lcore_gw_voucher_waits_total",
      help: "Settlement vouchers the chain would not execute yet (e.g. their claim is not accepted on chain), put back to wait with backoff",
      labelNames: ["reason"] as const,
      registers,
    }),
    healthDegraded: new Gauge({
      name: "lcore_gw_health_degraded",
      help: "1 while /healthz answers degraded (its reasons say why), else 0",
      registers,
      collect() {
        this.set(opts.health?.().degraded === true ? 1 : 0);
      },
    }),
    oldestWaiting: new Gauge({
      name: "lcore_gw_oldest_waiting_seconds",
      help: "Age of the oldest item waiting at a stage: inclusion (a queued reading or an unmined input), verdict (a mined input the node has not answered for); 0 when none",
      labelNames: ["stage"] as const,
      registers,
      collect() {
        const o = opts.health?.().oldest;
        this.set({ stage: "inclusion" }, o?.inclusion ?? 0);
        this.set({ stage: "verdict" }, o?.verdict ?? 0);
      },
    }),
  };
}
