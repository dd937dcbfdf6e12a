// The Cartesi path's pause switch, for rolling back to the legacy MVP node during a
// migration. While paused the batcher packs nothing and the submitter sends nothing
// (not even a rebroadcast); readings are still verified, answered 202 and committed, so
// they wait in the outbox (up to its queued bound) and leave, in order, on resume.
// The flag lives in the outbox, so a restart keeps it.

import type { Outbox } from "../outbox/outbox.js";

const PAUSED = "cartesi.paused";

export class CartesiSwitch {
  readonly #outbox: Outbox;
  #paused: boolean;
  /** Waits for the batcher's and submitter's passes in progress (set by the pipeline). */
  #drain: () => Promise<void> = async () => {};

  constructor(outbox: Outbox) {
    this.#outbox = outbox;
    this.#paused = outbox.settings.int(PAUSED) === 1;
  }

  get paused(): boolean {
    return this.#paused;
  }

  onPause(drain: () => Promise<void>): void {
    this.#drain = drain;
  }

  /**
   * Durable before it takes effect: once this resolves, a restart keeps the same state;
   * and, when pausing, a pass that started before is finished, so nothing is sent after.
   */
  async set(paused: boolean): Promise<void> {
    await this.#outbox.write([this.#outbox.settings.setStatement(PAUSED, paused ? 1 : 0)]);
    this.#paused = paused;
    if (paused) await this.#drain();
  }
}
