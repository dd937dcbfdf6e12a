// The background half of the gateway: chain/'s batcher → submitter → follower and
// settlement/'s loops, each a loop that runs one pass at a time. Stopping waits for the pass in progress, so the outbox
// is never closed under a half-done step (and every step is safe to cut anyway: see
// chain/submitter.ts).

import type { FastifyBaseLogger } from "fastify";
import type { GatewayContext } from "./context.js";
import type { Hex } from "viem";
import { Batcher, batcherSettings } from "./chain/batcher.js";
import { Follower } from "./chain/follower.js";
import { GraphqlNodeReader, JsonRpcNodeReader } from "./chain/nodeReader.js";
import { SettlementFollower } from "./settlement/settlementFollower.js";
import { CANONICAL_INPUT_BOX } from "./chain/inputBox.js";
import { Submitter } from "./chain/submitter.js";
import { Ticker } from "./settlement/ticker.js";
import { VoucherExecutor } from "./settlement/voucherExecutor.js";

/** A background loop of one pass at a time (exported for the mirror, which runs without a chain too). */
export class Loop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    readonly pass: () => Promise<unknown> | unknown,
    readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = (async () => {
        let busy = false;
        try {
          busy = Boolean(await this.pass());
        } catch (error) {
          this.log.warn({ err: error, loop: this.name }, "pass failed; retrying");
        }
        // A pass that did something runs again at once: there may be more.
        this.#schedule(busy ? 0 : this.intervalMs);
      })();
    }, ms);
  }

  /** Resolves once the pass in progress, if any, has finished. */
  async settled(): Promise<void> {
    await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}

export class Pipeline {
  readonly submitter: Submitter;
  readonly #loops: Loop[];

  constructor(ctx: GatewayContext, log: FastifyBaseLogger) {
    const chain = ctx.options.chain!;
    const batcher = new Batcher(
      ctx,
      batcherSettings({
        ...(ctx.options.batcher?.maxDelayMs === undefined ? {} : { maxDelayMs: ctx.options.batcher.maxDelayMs }),
        ...(ctx.options.batcher?.maxRecords === undefined ? {} : { maxRecords: ctx.options.batcher.maxRecords }),
        ...(ctx.options.batcher?.maxPayloadBytes === undefined
          ? {}
          : { maxPayloadBytes: ctx.options.batcher.maxPayloadBytes }),
      }),
    );
    this.submitter = new Submitter(ctx, {
      rpcUrl: chain.rpcUrl,
      inputBox: (chain.inputBox ?? CANONICAL_INPUT_BOX) as Hex,
      gasHeadroomPercent: chain.gasHeadroomPercent ?? 20,
      replaceAfterMs: chain.replaceAfterMs ?? 30_000,
      replaceBumpPercent: chain.replaceBumpPercent ?? 25,
      maxFeePerGas: chain.maxFeePerGas ?? 500_000_000_000n,
      maxInFlight: chain.maxInFlight ?? 16,
      lostNonceChecks: 3,
      lostNonceMs: 30_000,
    });
    const pollMs = chain.pollMs ?? 250;
    // Paused (chain/cartesiSwitch.ts): nothing is packed or sent; readings wait in the outbox.
    const pausable = [
      new Loop("batcher", Math.min(100, pollMs), () => (ctx.cartesi.paused ? 0 : batcher.tick(Date.now())), log),
      new Loop("submitter", pollMs, () => (ctx.cartesi.paused ? 0 : this.submitter.step()), log),
    ];
    ctx.cartesi.onPause(async () => {
      await Promise.all(pausable.map((l) => l.settled()));
    });
    this.#loops = [...pausable];
    const f = ctx.options.follower;
    if (f !== undefined) {
      const follower = new Follower(
        ctx,
        f.kind === "graphql" ? new GraphqlNodeReader(f.url) : new JsonRpcNodeReader(f.url, ctx.app),
      );
      this.#loops.push(new Loop("follower", f.pollMs ?? 500, () => follower.step(), log));
    }
    const s = ctx.options.settlement;
    if (s !== undefined) {
      // Settlement reads outputs with their proofs, which only the node's JSON-RPC serves.
      if (f?.kind === "jsonrpc") {
        const reader = new JsonRpcNodeReader(f.url, ctx.app);
        const settlementFollower = new SettlementFollower(ctx, reader);
        const executor = new VoucherExecutor(ctx, reader, chain.rpcUrl, s.executorKey?.reveal());
        this.#loops.push(
          new Loop("settlement-follower", s.pollMs ?? 1000, () => settlementFollower.step(), log),
          new Loop("voucher-executor", s.pollMs ?? 1000, () => executor.step(), log),
        );
      } else {
        log.warn("settlement needs LCORE_GW_NODE_API=jsonrpc: no settlement follower, no voucher execution");
      }
      if (s.tickMs !== undefined) {
        const ticker = new Ticker(ctx, chain.rpcUrl);
        this.#loops.push(new Loop("ticker", s.tickMs, () => ticker.step(), log));
      }
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
