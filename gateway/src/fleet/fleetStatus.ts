// Per-shard figures of a fleet (GET /v1/fleet, /metrics and the console's fleet panel): its
// application, devices, queue depth, readings accepted by its dApp and accepted per second
// (over the last minute), and its last accepted claim as its node lists it.

import type { GatewayContext } from "../context.js";
import { keepAliveFetch } from "../chain/keepAliveFetch.js";

export interface ShardStatus {
  shard: number;
  application: string;
  devices: number;
  /** Readings in the outbox not yet in an input: what waits while a shard stalls. */
  queued: number;
  /** Readings the shard's dApp accepted, since this gateway started. */
  readingsAccepted: number;
  /** Readings accepted per second, over the last minute. */
  acceptedPerSecond: number;
  /** The node's last accepted epoch of this application (null: none yet, or no node configured). */
  lastAcceptedEpoch: number | null;
  /** Whether the shard's background loops report it healthy (/healthz of that shard). */
  healthy: boolean;
}

/** Samples (ms, accepted count) kept per shard for the rate: one a poll, a minute's worth. */
const RATE_WINDOW_MS = 60_000;

export class FleetStatus {
  readonly #shards: readonly GatewayContext[];
  readonly #lastEpoch: (number | null)[];
  readonly #samples: { ms: number; accepted: number }[][];
  #timer: NodeJS.Timeout | undefined;

  constructor(shards: readonly GatewayContext[]) {
    this.#shards = shards;
    this.#lastEpoch = shards.map(() => null);
    this.#samples = shards.map(() => []);
  }

  /** Poll every shard's node for its last accepted claim, and sample the acceptance counts. */
  start(pollMs: number): void {
    const poll = () => void this.#poll().catch(() => {});
    poll();
    this.#timer = setInterval(poll, pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async snapshot(): Promise<ShardStatus[]> {
    return Promise.all(
      this.#shards.map(async (s, shard) => {
        const ctx = s;
        const accepted = await acceptedCount(s);
        const samples = this.#samples[shard]!;
        const first = samples[0];
        const seconds = first === undefined ? 0 : (Date.now() - first.ms) / 1000;
        return {
          shard,
          application: ctx.app,
          devices: ctx.registry.size,
          queued: ctx.outbox.queued,
          readingsAccepted: accepted,
          acceptedPerSecond: seconds > 0 ? Math.round(((accepted - first!.accepted) / seconds) * 10) / 10 : 0,
          lastAcceptedEpoch: this.#lastEpoch[shard] ?? null,
          healthy: !ctx.healthReport().degraded,
        };
      }),
    );
  }

  async #poll(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      this.#shards.map(async (s, shard) => {
        const samples = this.#samples[shard]!;
        samples.push({ ms: now, accepted: await acceptedCount(s) });
        while (samples.length > 1 && now - samples[0]!.ms > RATE_WINDOW_MS) samples.shift();
        this.#lastEpoch[shard] = await lastAcceptedEpoch(s).catch(() => this.#lastEpoch[shard] ?? null);
      }),
    );
  }
}

/** Readings the shard's dApp accepted since this gateway started (its outcome counter). */
export async function acceptedCount(shard: GatewayContext): Promise<number> {
  const { values } = await shard.metrics.readingOutcomes.get();
  return values.filter((v) => v.labels.outcome === "accepted").reduce((sum, v) => sum + v.value, 0);
}

/** cartesi_getLastAcceptedEpochIndex of the shard's application at its node's JSON-RPC. */
async function lastAcceptedEpoch(shard: GatewayContext): Promise<number | null> {
  const follower = shard.options.follower;
  if (follower?.kind !== "jsonrpc") return null;
  const res = await keepAliveFetch(follower.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "cartesi_getLastAcceptedEpochIndex",
      params: { application: shard.app },
    }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as { result?: { data?: string } };
  return body.result?.data === undefined ? null : Number(BigInt(body.result.data));
}
