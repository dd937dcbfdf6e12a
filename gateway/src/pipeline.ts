// The background half of the gateway: chain/'s batcher → inclusion watch and submitter →
// follower, and settlement/'s loops, each a Loop (loop.ts) that runs one pass at a time.

import type { FastifyBaseLogger } from "fastify";
import { type Hex, createPublicClient } from "viem";
import type { GatewayContext } from "./context.js";
import { Batcher, batcherSettings } from "./chain/batcher.js";
import { Follower } from "./chain/follower.js";
import { InclusionWatch } from "./chain/inclusionWatch.js";
import { CANONICAL_INPUT_BOX } from "./chain/inputBox.js";
import { GraphqlNodeReader, JsonRpcNodeReader } from "./chain/nodeReader.js";
import { chainTransport } from "./chain/rpcTransport.js";
import { Submitter } from "./chain/submitter.js";
import { Loop } from "./loop.js";
import { SettlementFollower } from "./settlement/settlementFollower.js";
import { Ticker } from "./settlement/ticker.js";
import { VoucherExecutor } from "./settlement/voucherExecutor.js";

export class Pipeline {
  readonly submitter: Submitter;
  readonly watch: InclusionWatch;
  readonly #loops: Loop[] = [];
  readonly #ctx: GatewayContext;
  readonly #log: FastifyBaseLogger;

  constructor(ctx: GatewayContext, log: FastifyBaseLogger) {
    this.#ctx = ctx;
    this.#log = log;
    const chain = ctx.options.chain!;
    const inputBox = (chain.inputBox ?? CANONICAL_INPUT_BOX) as Hex;
    // One JSON-RPC request per batch of block lookups: the watch asks for many blocks at once.
    const client = createPublicClient({ transport: chainTransport(chain.rpcUrl, ctx.health.chain, { batch: true }) });
    this.watch = new InclusionWatch(ctx, client, {
      inputBox,
      finalityDepth: chain.finalityDepth ?? 64,
      watchDepth: chain.watchDepth ?? 64,
      watchMs: chain.watchMs ?? 1000,
    });
    const pollMs = chain.pollMs ?? 250;
    this.submitter = new Submitter(
      ctx,
      {
        rpcUrl: chain.rpcUrl,
        inputBox,
        gasHeadroomPercent: chain.gasHeadroomPercent ?? 20,
        replaceAfterMs: chain.replaceAfterMs ?? 30_000,
        replaceBumpPercent: chain.replaceBumpPercent ?? 25,
        maxFeePerGas: chain.maxFeePerGas ?? 500_000_000_000n,
        maxInFlight: chain.maxInFlight ?? 16,
        lostNonceChecks: 3,
        lostNonceMs: 30_000,
        rebroadcastAfterMs: Math.max(2000, 4 * pollMs),
        gapMs: Math.max(1000, 2 * pollMs),
      },
      this.watch,
    );
    this.#chainLoops(pollMs);
    this.#nodeLoops();
  }

  /** Packing and sending, which the pause switch stops (chain/cartesiSwitch.ts); the watch runs paused too. */
  #chainLoops(pollMs: number): void {
    const { ctx, log } = { ctx: this.#ctx, log: this.#log };
    const o = ctx.options.batcher;
    const batcher = new Batcher(
      ctx,
      batcherSettings({
        ...(o?.maxDelayMs === undefined ? {} : { maxDelayMs: o.maxDelayMs }),
        ...(o?.maxRecords === undefined ? {} : { maxRecords: o.maxRecords }),
        ...(o?.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: o.maxPayloadBytes }),
      }),
    );
    const pausable = [
      new Loop(
        "batcher",
        Math.min(100, pollMs),
        () => (ctx.cartesi.paused ? 0 : batcher.tick(Date.now())),
        log,
        ctx.health,
      ),
      new Loop(
        "submitter",
        pollMs,
        async () => {
          const watched = await this.watch.step();
          return ctx.cartesi.paused ? watched : watched + (await this.submitter.step());
        },
        log,
        ctx.health,
      ),
    ];
    ctx.cartesi.onPause(async () => {
      await Promise.all(pausable.map((l) => l.settled()));
    });
    this.#loops.push(...pausable);
  }

  /** The follower, and settlement's loops (which need the node's JSON-RPC for outputs and proofs). */
  #nodeLoops(): void {
    const { ctx, log } = { ctx: this.#ctx, log: this.#log };
    const chain = ctx.options.chain!;
    const f = ctx.options.follower;
    const s = ctx.options.settlement;
    const settles = s !== undefined && f?.kind === "jsonrpc";
    if (f !== undefined) {
      const reader =
        f.kind === "graphql"
          ? new GraphqlNodeReader(f.url, ctx.health.node)
          : new JsonRpcNodeReader(f.url, ctx.app, ctx.health.node);
      const follower = new Follower(ctx, reader, {
        foreign: (id) => this.watch.suspect(id),
        ...(settles ? { earlier: (d, q, h) => ctx.outbox.settlements.acceptedNotice(d, q, h) } : {}),
      });
      this.#loops.push(new Loop("follower", f.pollMs ?? 500, () => follower.step(), log, ctx.health));
    }
    if (s === undefined) return;
    if (settles) {
      const reader = new JsonRpcNodeReader(f!.url, ctx.app, ctx.health.node);
      const settlementFollower = new SettlementFollower(ctx, reader);
      const executor = new VoucherExecutor(ctx, reader, chain.rpcUrl, s.executorKey?.reveal());
      this.#loops.push(
        new Loop("settlement-follower", s.pollMs ?? 1000, () => settlementFollower.step(), log, ctx.health),
        new Loop("voucher-executor", s.pollMs ?? 1000, () => executor.step(), log, ctx.health),
      );
    } else {
      log.warn("settlement needs LCORE_GW_NODE_API=jsonrpc: no settlement follower, no voucher execution");
    }
    if (s.tickMs !== undefined) {
      const ticker = new Ticker(ctx, chain.rpcUrl);
      this.#loops.push(new Loop("ticker", s.tickMs, () => ticker.step(), log, ctx.health));
    }
  }

  async start(): Promise<void> {
    await this.submitter.start();
    for (const l of this.#loops) l.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#loops.map((l) => l.stop()));
  }
}
