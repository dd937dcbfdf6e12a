// The rollup loop: finish → handle → post outputs → finish with the handler's status.
// Written here rather than on @deroll/app (see README): deroll types v1 metadata, and
// the dApp needs the savepoint-per-advance and reports-before-reject control that a
// 60-line loop gives without adapting a framework.

import type { RollupClient } from "./client.js";
import type { Output, RollupHandler } from "./handler.js";
import type { FinishStatus } from "@lcore/devnet/rollup-http-api";

export interface LoopOptions {
  /** Called after each advance (the benchmark probe dumps its totals here). */
  afterAdvance?: () => void;
  /** Stop after the current request when this returns true (tests). */
  stop?: () => boolean;
}

/** 202 means "nothing yet": retry at once, then back off up to 200 ms so an idle server is not spun on. */
const MAX_BACKOFF_MS = 200;

// determinism-ok: waiting between polls of an idle server changes when, never what, the dApp computes
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function postOutputs(client: RollupClient, outputs: readonly Output[]): Promise<void> {
  for (const o of outputs) {
    if (o.type === "notice") await client.notice(o.payload);
    else if (o.type === "report") await client.report(o.payload);
    else await client.voucher(o.destination, o.value, o.payload);
  }
}

/** Before the server has answered once, a refused connection means "not up yet": retry this long. */
const STARTUP_PATIENCE_MS = 30_000;

function refused(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "ECONNREFUSED";
}

/** Serve `handler` over the rollup HTTP API until `options.stop` says so or the server fails. */
export async function runRollupLoop(
  handler: RollupHandler,
  client: RollupClient,
  options: LoopOptions = {},
): Promise<void> {
  let status: FinishStatus = "accept";
  let backoff = 0;
  let connected = false;
  let waited = 0;
  while (options.stop?.() !== true) {
    let next: Awaited<ReturnType<typeof client.finish>>;
    try {
      next = await client.finish(status);
      connected = true;
    } catch (e) {
      if (connected || !refused(e) || waited >= STARTUP_PATIENCE_MS) throw e;
      await sleep(100);
      waited += 100;
      continue;
    }
    if (next === null) {
      if (backoff > 0) await sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff === 0 ? 1 : backoff * 2);
      continue;
    }
    backoff = 0;
    if (next.type === "advance") {
      const result = handler.advance(next.metadata, next.payload);
      await postOutputs(client, result.outputs);
      status = result.status;
      options.afterAdvance?.();
    } else {
      const result = handler.inspect(next.payload);
      for (const r of result.reports) await client.report(r);
      status = result.status;
    }
  }
}
