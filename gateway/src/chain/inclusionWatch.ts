// Keeps the outbox's record of what the chain mined true to the chain (DESIGN §8).
//
// A receipt is not final: a reorganisation, or a chain restarted from a state saved seconds
// earlier, can take back the block that carried an input. So every mined input is re-checked
// until it is final: its recorded block must still be the chain's block at that height.
//
//   block unchanged, at or below the finalized block   → final (finalMs); no longer checked,
//                                                        except in the newest watchDepth blocks
//   block changed or gone: the receipt of its transaction is asked again
//     found, in another block                          → moved: the new block and input index are
//                                                        recorded, the verdicts read so far cleared
//     not found (twice in a row)                       → vanished: the input is back to "sent, not
//                                                        mined"; its nonce and signed transactions
//                                                        are kept, so the submitter sends the same
//                                                        bytes again, and its verdicts are cleared
//
// The finalized block is the chain's `finalized` tag; an RPC without one gets latest −
// finalityDepth. Besides its own schedule, the watch checks at once an input the submitter
// suspects (the account's nonce went back below it) or the follower does (the node's input at
// its index is not the gateway's). It runs in the submitter's loop, before the submitter, so
// the two never race.

import {
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  parseEventLogs,
} from "viem";
import { inputBoxAbi } from "@lcore/contracts";
import { equalBytes, fromHex, toHex } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import type { Inclusion, InputState } from "../outbox/inputStore.js";
import { OutboxConflictError, type Statement } from "../outbox/writer.js";
import { isUnreachable } from "../system/health.js";

export interface WatchSettings {
  inputBox: Hex;
  /** Blocks below the latest taken as final when the RPC has no `finalized` tag. */
  finalityDepth: number;
  /** Inputs in the newest this many blocks are re-checked even when final. */
  watchDepth: number;
  /** Least time between two checks (suspects are checked at once). */
  watchMs: number;
}

/** Mined inputs looked at per check. */
const WATCH_LIMIT = 1024;

/** The input a successful receipt added for `app` through `inputBox`, or null if it added none. */
export function inclusionOf(
  receipt: TransactionReceipt,
  inputBox: Hex,
  app: Hex,
  nowMs: number,
): Omit<Inclusion, "txHash"> | null {
  if (receipt.status !== "success") return null;
  const added = parseEventLogs({ abi: inputBoxAbi, logs: receipt.logs, eventName: "InputAdded" }).find(
    (l) => l.address.toLowerCase() === inputBox.toLowerCase() && l.args.appContract.toLowerCase() === app,
  );
  if (added === undefined) return null;
  return {
    blockNumber: Number(receipt.blockNumber),
    blockHash: fromHex(receipt.blockHash),
    inputIndex: Number(added.args.index),
    gasUsed: Number(receipt.gasUsed),
    includedMs: nowMs,
  };
}

/** What one check found. */
interface Findings {
  statements: Statement[];
  moves: Statement[];
  vanished: InputState[];
  moved: number;
  final: number;
}

export class InclusionWatch {
  readonly #ctx: GatewayContext;
  readonly #client: PublicClient;
  readonly #s: WatchSettings;
  #lastMs = 0;
  #noFinalizedTag = false;
  readonly #suspects = new Set<number>();
  /** Inputs whose receipt one check did not find: a second check in a row unincludes them. */
  readonly #missing = new Set<number>();

  constructor(ctx: GatewayContext, client: PublicClient, settings: WatchSettings) {
    this.#ctx = ctx;
    this.#client = client;
    this.#s = settings;
  }

  /** Check this input's inclusion at the next step, whatever the schedule. */
  suspect(inputId: number): void {
    this.#suspects.add(inputId);
  }

  /** The chain's account nonce is `nonce`: an input recorded mined with a nonce at or above it cannot be on chain. */
  noticeNonce(nonce: number): void {
    for (const id of this.#ctx.outbox.inputs.minedFromNonce(nonce, 256)) this.suspect(id);
  }

  /** One check, when due; returns how many inputs it changed (moved, vanished or made final). */
  async step(nowMs = Date.now()): Promise<number> {
    if (this.#suspects.size === 0 && this.#missing.size === 0 && nowMs - this.#lastMs < this.#s.watchMs) return 0;
    this.#lastMs = nowMs;
    const head = await this.#head();
    const rows = this.#ctx.outbox.inputs.watched(head.latest - this.#s.watchDepth, WATCH_LIMIT);
    const suspects = new Set(this.#suspects);
    this.#suspects.clear();
    if (rows.length === 0) {
      this.#missing.clear();
      return 0;
    }
    const canonical = await this.#blockHashes(rows, head.latest);
    const found: Findings = { statements: [], moves: [], vanished: [], moved: 0, final: 0 };
    for (const row of rows) {
      const hash = canonical.get(row.blockNumber!);
      const same = row.blockHash !== null && hash !== undefined && equalBytes(hash, row.blockHash);
      if (same && !suspects.has(row.id)) {
        this.#missing.delete(row.id);
        if (row.finalMs === null && row.blockNumber! <= head.finalized) {
          found.statements.push(this.#ctx.outbox.inputs.finalStatement(row.id, row.blockHash!, nowMs));
          found.final++;
        }
        continue;
      }
      await this.#recheck(row, nowMs, found);
    }
    return this.#write(found);
  }

  /** The block recorded for `row` changed, is gone, or `row` is suspect: its receipt decides. */
  async #recheck(row: InputState, nowMs: number, found: Findings): Promise<void> {
    const { inputs } = this.#ctx.outbox;
    const receipt = await this.#receipt(row.txHash!);
    const now = receipt === null ? null : inclusionOf(receipt, this.#s.inputBox, this.#ctx.app, nowMs);
    const was = { id: row.id, txHash: row.txHash!, inputIndex: row.inputIndex! };
    if (now === null) {
      // Not mined (or mined and reverted) on the chain as it is now. Once more before acting:
      // an RPC behind a load balancer can answer from a node that lags.
      if (!this.#missing.has(row.id)) {
        this.#missing.add(row.id);
        return;
      }
      this.#missing.delete(row.id);
      found.statements.push(...inputs.unincludeStatements(was));
      found.vanished.push(row);
      return;
    }
    this.#missing.delete(row.id);
    if (now.blockNumber === row.blockNumber && now.inputIndex === row.inputIndex) {
      // The same place: a block hash recorded before schema v9, or a suspicion the chain does not bear out.
      if (row.blockHash === null)
        found.statements.push(inputs.blockHashStatement(row.id, row.inputIndex!, now.blockHash!));
      if (row.blockHash === null || equalBytes(row.blockHash, now.blockHash!)) return;
    }
    // Mined again elsewhere (the same transaction in another block): its new place, and its verdicts read afresh.
    found.statements.push(...inputs.unincludeStatements(was));
    found.moves.push(inputs.includeStatement(row.id, { txHash: row.txHash!, ...now }));
    found.moved++;
  }

  async #write(found: Findings): Promise<number> {
    const { metrics, health, outbox } = this.#ctx;
    // Every inclusion is cleared before any is recorded anew: a moved input may take an index another one left.
    const statements = [...found.statements, ...found.moves];
    if (statements.length === 0) return 0;
    try {
      await outbox.write(statements);
    } catch (error) {
      if (error instanceof OutboxConflictError) return 0; // changed meanwhile: the next check sees it
      throw error;
    }
    if (found.final > 0) metrics.inputsFinal.inc(found.final);
    if (found.moved > 0) {
      metrics.inputsReorged.inc({ kind: "moved" }, found.moved);
      health.progressed("inclusion");
    }
    if (found.vanished.length > 0) this.#reportVanished(found.vanished);
    return found.final + found.moved + found.vanished.length;
  }

  #reportVanished(vanished: InputState[]): void {
    const { metrics, health } = this.#ctx;
    metrics.inputsReorged.inc({ kind: "vanished" }, vanished.length);
    const blocks = vanished.map((r) => r.blockNumber!);
    const fields = { inputs: vanished.map((r) => r.id), fromBlock: Math.min(...blocks), toBlock: Math.max(...blocks) };
    const final = vanished.filter((r) => r.finalMs !== null);
    if (final.length > 0)
      health.log.error(
        { ...fields, final: final.map((r) => r.id) },
        `the chain no longer has ${final.length} input(s) it had finalized: it reorganised below its finalized block; sending them again`,
      );
    health.log.warn(
      fields,
      `the chain no longer has ${vanished.length} mined input(s) of the gateway (a reorganisation or a restarted chain); sending the same transactions again`,
    );
  }

  async #head(): Promise<{ latest: number; finalized: number }> {
    const latest = Number(await this.#client.getBlockNumber({ cacheTime: 0 }));
    let finalized = latest - this.#s.finalityDepth;
    if (!this.#noFinalizedTag) {
      try {
        finalized = Number((await this.#client.getBlock({ blockTag: "finalized" })).number);
      } catch (error) {
        if (isUnreachable(error)) throw error;
        if ((error as Error).name === "BlockNotFoundError") return { latest, finalized: -1 }; // none finalized yet
        this.#noFinalizedTag = true;
        this.#ctx.health.log.info(
          { finalityDepth: this.#s.finalityDepth },
          `the chain's RPC has no finalized block; blocks ${this.#s.finalityDepth} below the latest are taken as final`,
        );
      }
    }
    this.#ctx.metrics.chainBlock.set({ tag: "latest" }, latest);
    this.#ctx.metrics.chainBlock.set({ tag: "finalized" }, Math.max(0, finalized));
    return { latest, finalized };
  }

  /** The chain's hash of each block the rows name (absent: above the chain's head, or not found). */
  async #blockHashes(rows: InputState[], latest: number): Promise<Map<number, Uint8Array>> {
    const numbers = [...new Set(rows.map((r) => r.blockNumber!))].filter((n) => n <= latest);
    const blocks = await Promise.all(
      numbers.map((n) =>
        this.#client.getBlock({ blockNumber: BigInt(n) }).catch((error: unknown) => {
          if ((error as Error).name === "BlockNotFoundError") return null;
          throw error;
        }),
      ),
    );
    const out = new Map<number, Uint8Array>();
    for (const b of blocks) if (b?.hash) out.set(Number(b.number), fromHex(b.hash));
    return out;
  }

  /** The receipt, or null if the chain has none; any other failure aborts the check. */
  async #receipt(hash: Uint8Array): Promise<TransactionReceipt | null> {
    try {
      return await this.#client.getTransactionReceipt({ hash: toHex(hash) });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    }
  }
}
