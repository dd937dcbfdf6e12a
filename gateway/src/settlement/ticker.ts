// The tick timer (PROTOCOL §9): a period is settled by the first accepted input of a
// later period. When readings stop, no such input may come, so the gateway sends a tick
// (0x10 0x01) once the chain's time has passed the period of its last accepted record
// batch. At most one tick is ever on its way, and one tick per open period is enough: a
// tick mined after that batch, in a later period, settled the period (or someone else's
// input already had, and the follower will see that settlement). A tick mined after the
// batch but in the batch's own period (the batch overtook it near the hour) settled only
// the period before, so the batch's period still needs one. A tick the dApp refuses
// with nothing_to_settle is harmless.
//
// A period never moves back (PROTOCOL §9): records accepted after the chain's clock went back
// joined the period after the last settled one, whatever their block's time. So while the last
// batch's records are not seen settled, the period to close is max(its block's period,
// settledThrough + 1), and the tick is due once the chain's latest block is past that.

import { encodeSettlementTick, settlementPeriodOf } from "@lcore/protocol/settlement";
import { type PublicClient, createPublicClient } from "viem";
import { chainTransport } from "../chain/rpcTransport.js";
import type { GatewayContext } from "../context.js";
import type { TickFacts } from "../outbox/settlementStore.js";

export interface TickDecision {
  facts: TickFacts;
  /** Period of the block that carried facts.lastRecords (null when there is none). */
  recordsPeriod: bigint | null;
  /** Period of the block that carried facts.lastTick (null when there is none, or it is not mined). */
  tickPeriod: bigint | null;
  /** Period of the chain's latest block. */
  latestPeriod: bigint;
}

/** Whether to enqueue a tick now. Pure: the Ticker gathers the facts. */
export function tickDue({ facts, recordsPeriod, tickPeriod, latestPeriod }: TickDecision): boolean {
  const { lastRecords, lastTick, settledThrough, lastRecordsSettled } = facts;
  if (lastRecords === null || recordsPeriod === null) return false; // nothing of ours is open
  if (lastRecordsSettled) return false; // already settled
  // The dApp's open period: never at or before the last settled one.
  const open = settledThrough !== null && settledThrough >= recordsPeriod ? settledThrough + 1n : recordsPeriod;
  if (lastTick !== null && (lastTick.inputIndex === null || lastTick.nodeStatus === null)) return false; // one is pending
  if (lastTick !== null && lastTick.inputIndex! > lastRecords.inputIndex && tickPeriod !== null && tickPeriod > open) {
    return false; // already ticked for this period
  }
  return latestPeriod > open;
}

export class Ticker {
  readonly #ctx: GatewayContext;
  readonly #client: PublicClient;
  /** Block timestamps by number (the last batch's and the last tick's blocks are asked again and again). */
  readonly #timestamps = new Map<number, bigint>();

  constructor(ctx: GatewayContext, rpcUrl: string) {
    this.#ctx = ctx;
    this.#client = createPublicClient({ transport: chainTransport(rpcUrl, ctx.health.chain) });
  }

  async #timestampOf(blockNumber: number): Promise<bigint> {
    let t = this.#timestamps.get(blockNumber);
    if (t === undefined) {
      t = (await this.#client.getBlock({ blockNumber: BigInt(blockNumber) })).timestamp;
      if (this.#timestamps.size >= 4) this.#timestamps.clear(); // only two blocks are in use at a time
      this.#timestamps.set(blockNumber, t);
    }
    return t;
  }

  /** One check; returns 1 if it enqueued a tick. */
  async step(): Promise<number> {
    const { outbox } = this.#ctx;
    const facts = outbox.settlements.tickFacts();
    const periodOf = async (block: number | null | undefined) =>
      block == null ? null : settlementPeriodOf(await this.#timestampOf(block));
    const recordsPeriod = await periodOf(facts.lastRecords?.blockNumber);
    const tickPeriod = await periodOf(facts.lastTick?.blockNumber);
    const latest = await this.#client.getBlock({ blockTag: "latest" });
    if (!tickDue({ facts, recordsPeriod, tickPeriod, latestPeriod: settlementPeriodOf(latest.timestamp) })) return 0;
    const tick = outbox.inputs.create("tick", encodeSettlementTick(), Date.now());
    await outbox.write([tick.statement]);
    return 1;
  }
}
