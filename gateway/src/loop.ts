// A background loop of one pass at a time: the batcher, submitter, follower, settlement
// loops and the mirror each run in one. Stopping waits for the pass in progress, so the outbox
// is never closed under a half-done step (and every step is safe to cut anyway: see
// chain/submitter.ts).
//
// A pass that did something runs again at once; one that failed runs again after a backoff
// that doubles from the loop's interval up to 5 s (or the interval, if longer), so an outage
// costs a call every few seconds, not a busy loop. A failing streak is logged once: at warn
// when it starts (at debug when the chain or node simply does not answer, which the upstream's
// own warning already says: system/health.ts), at info when a pass succeeds again. /healthz
// reads the streak from the Health.

import type { FastifyBaseLogger } from "fastify";
import { type Health, isUnreachable, shortError } from "./system/health.js";

/** Longest pause after failed passes (unless the loop's own interval is longer). */
export const MAX_LOOP_BACKOFF_MS = 5_000;

export class Loop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failures = 0;
  #warned = false;
  #failingSinceMs = 0;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    readonly pass: () => Promise<unknown> | unknown,
    readonly log: FastifyBaseLogger,
    readonly health?: Health,
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
          this.#succeeded();
        } catch (error) {
          this.#failed(error);
        }
        this.#schedule(busy ? 0 : this.#failures > 0 ? this.backoffMs(this.#failures) : this.intervalMs);
      })();
    }, ms);
  }

  /** The pause after `failures` failed passes in a row. */
  backoffMs(failures: number): number {
    return Math.min(Math.max(this.intervalMs, MAX_LOOP_BACKOFF_MS), this.intervalMs * 2 ** Math.min(failures - 1, 16));
  }

  #failed(error: unknown): void {
    this.#failures++;
    if (this.#failures === 1) this.#failingSinceMs = Date.now();
    this.health?.loopFailed(this.name, error);
    if (!this.#warned && !isUnreachable(error)) {
      this.#warned = true;
      this.log.warn(
        { loop: this.name, err: error },
        "pass failed; retrying with backoff (logged once until a pass succeeds)",
      );
    } else {
      this.log.debug({ loop: this.name, err: shortError(error), failures: this.#failures }, "pass failed again");
    }
  }

  #succeeded(): void {
    this.health?.loopOk(this.name);
    if (this.#failures === 0) return;
    const seconds = Math.round((Date.now() - this.#failingSinceMs) / 1000);
    if (this.#warned)
      this.log.info({ loop: this.name, failures: this.#failures, seconds }, "pass succeeds again after failures");
    this.#failures = 0;
    this.#warned = false;
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
