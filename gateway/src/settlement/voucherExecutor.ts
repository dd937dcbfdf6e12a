// Executes each settled period's settlePeriod voucher (PROTOCOL §9) with
// Application.executeOutput(output, proof), once its epoch's claim is accepted, and
// records that it was executed: from then on the period's readings are `settled`. Then,
// the same way, each recordAggregate voucher of a disclosure (PROTOCOL §10), so the
// aggregate is recorded in LcoreSettlement (`aggregate(device, period)`).
//
// The executor signs with its own key (LCORE_GW_EXECUTOR_KEY), never the submitter's: the
// submitter owns its account's nonces (chain/submitter.ts) and must see no other sender. Without
// that key the executor only watches: a voucher someone else executed is recorded too
// (wasOutputExecuted, with the node's execution transaction when it has one).
//
// An output executes once (the Application reverts a second time), so a duplicate
// transaction after a crash can only waste gas, not settle twice; to avoid even that, no
// transaction is sent while the executor account has one pending.
//
// Before sending, the call is tried (eth_call). The chain can refuse it although the node lists
// the epoch's claim as accepted: a reorganisation took the claim back, or the node's proof is
// of an epoch it computed on a fork. Then the voucher waits for a claim the chain accepts —
// retried after 5 s, doubling to 5 min, each time with the node's proof read afresh — instead of
// every pass; /healthz reports it (claim_missing at once; settlement_stalled once any voucher
// has waited settlementStallSeconds).

import {
  type Chain,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
  TransactionReceiptNotFoundError,
  createPublicClient,
  createWalletClient,
  defineChain,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { applicationAbi } from "@lcore/contracts";
import type { GatewayContext } from "../context.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import type { Statement } from "../outbox/writer.js";
import type { NodeOutput, OutputReader } from "../chain/nodeReader.js";
import { chainTransport } from "../chain/rpcTransport.js";
import { isUnreachable, shortError } from "../system/health.js";
import { DEFAULT_HEALTH } from "../system/healthReport.js";

/** Vouchers looked at per pass. */
const VOUCHERS_PER_PASS = 16;
/** A voucher the chain refuses to execute is tried again after this long, doubling up to MAX_WAIT_MS. */
export const FIRST_WAIT_MS = 5_000;
export const MAX_WAIT_MS = 300_000;
/** How long an execution the chain shows waits for the node to name its transaction (a node API that never does). */
export const EXECUTION_HASH_WAIT_MS = 60_000;

/** One voucher to execute: a period's settlement or a disclosure's aggregate. */
interface VoucherJob {
  /** Unique among jobs: the maps below are keyed by it. */
  key: string;
  /** How logs and /healthz name it, e.g. "period 7's settlement voucher". */
  label: string;
  voucherIndex: number;
  voucher: Uint8Array;
  /** The statement that records it executed. */
  executed: (txHash: Uint8Array | null, nowMs: number) => Statement;
}

/** Why a voucher waits after the chain refused it. */
interface Wait {
  untilMs: number;
  delayMs: number;
  reason: string;
}

export class VoucherExecutor {
  readonly #ctx: GatewayContext;
  readonly #reader: OutputReader;
  readonly #client: PublicClient;
  readonly #wallet: WalletClient<Transport, Chain, PrivateKeyAccount> | undefined;
  /** Per job: the executeOutput transaction sent and not yet seen mined. */
  readonly #pending = new Map<string, Hex>();
  /** Per job: the chain refused the execution; not tried again before untilMs. */
  readonly #waits = new Map<string, Wait>();
  /** When the chain was first seen to have executed a job's voucher that the node had not yet read. */
  readonly #executedSeen = new Map<string, number>();
  /** Per job: since when its voucher is known and not executed (for /healthz). */
  readonly #since = new Map<string, number>();
  /** The time of the pass in progress (a parameter of step, so tests can move it). */
  #now = 0;

  constructor(ctx: GatewayContext, reader: OutputReader, rpcUrl: string, executorKey: Hex | undefined) {
    this.#ctx = ctx;
    this.#reader = reader;
    const transport = chainTransport(rpcUrl, ctx.health.chain);
    this.#client = createPublicClient({ transport });
    if (executorKey !== undefined) {
      const chain = defineChain({
        id: Number(ctx.chainId),
        name: `chain ${ctx.chainId}`,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [rpcUrl] } },
      });
      this.#wallet = createWalletClient({ account: privateKeyToAccount(executorKey), chain, transport });
    }
  }

  /** One pass over the unexecuted vouchers; returns how many were recorded executed. */
  async step(nowMs = Date.now()): Promise<number> {
    this.#now = nowMs;
    let done = 0;
    const jobs = this.#jobs();
    for (const job of jobs) {
      if (!this.#since.has(job.key)) this.#since.set(job.key, nowMs);
      if ((this.#waits.get(job.key)?.untilMs ?? 0) > nowMs) continue; // waiting for a claim the chain accepts
      if (await this.#advance(job)) {
        done++;
        this.#done(job.key);
      }
    }
    if (done > 0) this.#ctx.health.progressed("settlement");
    this.#reportStall(jobs, nowMs);
    return done;
  }

  /** The unexecuted vouchers: settlements first (they make readings `settled`), then aggregates. */
  #jobs(): VoucherJob[] {
    const { settlements, aggregates } = this.#ctx.outbox;
    const periods = settlements.unexecuted(VOUCHERS_PER_PASS).map(
      (p): VoucherJob => ({
        key: `settlement:${p.period}`,
        label: `period ${p.period}'s settlement voucher`,
        voucherIndex: p.voucherIndex!,
        voucher: p.voucher!,
        executed: (tx, ms) => settlements.executedStatement(p.period, tx, ms),
      }),
    );
    const disclosed = aggregates.unexecuted(VOUCHERS_PER_PASS - periods.length).map(
      (a): VoucherJob => ({
        key: `aggregate:${a.voucherIndex}`,
        label: `the aggregate voucher of ${toHex(a.device)}'s day ${a.period}`,
        voucherIndex: a.voucherIndex,
        voucher: a.voucher,
        executed: (tx, ms) => aggregates.executedStatement(a.voucherIndex, tx, ms),
      }),
    );
    return [...periods, ...disclosed];
  }

  #done(key: string): void {
    this.#waits.delete(key);
    this.#since.delete(key);
    this.#ctx.health.clear(`claim:${key}`);
  }

  /** The oldest voucher still unexecuted, as a condition /healthz reports once it has waited settlementStallSeconds. */
  #reportStall(jobs: VoucherJob[], nowMs: number): void {
    const { health } = this.#ctx;
    const open = jobs.filter((j) => this.#since.has(j.key));
    if (open.length === 0 || this.#wallet === undefined) {
      health.clear("settlement");
      return;
    }
    const oldest = open.reduce((a, b) => (this.#since.get(a.key)! <= this.#since.get(b.key)! ? a : b));
    const since = this.#since.get(oldest.key)!;
    const wait = this.#waits.get(oldest.key);
    const stall = (this.#ctx.options.health?.settlementStallSeconds ?? DEFAULT_HEALTH.settlementStallSeconds) * 1000;
    health.clear("settlement");
    health.report(
      "settlement",
      "settlement_stalled",
      `${oldest.label} is not executed ${Math.round((nowMs - since) / 1000)} s after it was read${wait === undefined ? "" : `: ${wait.reason}`}`,
      stall,
      since,
    );
  }

  /** The chain refused to execute the voucher: wait (with backoff) for a claim it accepts. */
  #wait(job: VoucherJob, output: NodeOutput, reason: string): false {
    const nowMs = this.#now;
    const prev = this.#waits.get(job.key);
    const delayMs = prev === undefined ? FIRST_WAIT_MS : Math.min(MAX_WAIT_MS, prev.delayMs * 2);
    this.#waits.set(job.key, { untilMs: nowMs + delayMs, delayMs, reason });
    this.#ctx.metrics.voucherWaits.inc({ reason: reason.startsWith("no accepted claim") ? "claim" : "other" });
    const message = `${job.label} (output ${output.index}, epoch ${output.epochIndex}): ${reason}; waiting for a claim the chain accepts, next try in ${delayMs / 1000} s`;
    if (prev === undefined) this.#ctx.health.log.warn({ voucher: job.key, epoch: output.epochIndex }, message);
    this.#ctx.health.report(`claim:${job.key}`, "claim_missing", message, 0, nowMs);
    return false;
  }

  /** True once the job's voucher is recorded executed. */
  async #advance(job: VoucherJob): Promise<boolean> {
    const index = job.voucherIndex;
    const sent = this.#pending.get(job.key);
    if (sent !== undefined) {
      const receipt = await this.#client.getTransactionReceipt({ hash: sent }).catch((e: unknown) => {
        if (e instanceof TransactionReceiptNotFoundError) return null;
        throw e;
      });
      // No receipt and nothing of ours in flight: the transaction was dropped (evicted, node restarted); look again below.
      if (receipt === null && (await this.#inFlight())) return false;
      this.#pending.delete(job.key);
      if (receipt?.status === "success") return this.#record(job, fromHex(sent));
      // Reverted: someone else's execution came first, or the claim changed; look again below (the call is tried first).
    }
    const output = await this.#reader.output(index);
    if (output === null) return false;
    if (output.executionTxHash !== null) {
      this.#executedSeen.delete(job.key);
      return this.#record(job, fromHex(output.executionTxHash));
    }
    const executed = await this.#client.readContract({
      address: this.#ctx.app,
      abi: applicationAbi,
      functionName: "wasOutputExecuted",
      args: [BigInt(index)],
    });
    if (executed) {
      // The node reads OutputExecuted at its confidence (finalized by default), so it names the
      // execution's transaction a few blocks after the chain shows it executed: wait for it, and
      // record the execution without a transaction only if the node never names one.
      const seen = this.#executedSeen.get(job.key) ?? this.#now;
      this.#executedSeen.set(job.key, seen);
      if (this.#now - seen < EXECUTION_HASH_WAIT_MS) return false;
      this.#executedSeen.delete(job.key);
      return this.#record(job, null);
    }
    if (this.#wallet === undefined || output.siblings === null) return false;
    if ((await this.#reader.epochStatus(output.epochIndex)) !== "CLAIM_ACCEPTED") return false;
    if (output.raw.toLowerCase() !== toHex(job.voucher).toLowerCase())
      return this.#wait(job, output, "the node's output at this index is no longer the voucher read before");
    if (await this.#inFlight()) return false; // one of ours is in flight (perhaps from before a restart)
    const args = [toHex(job.voucher), { outputIndex: BigInt(index), outputHashesSiblings: output.siblings }] as const;
    try {
      await this.#client.simulateContract({
        account: this.#wallet.account,
        address: this.#ctx.app,
        abi: applicationAbi,
        functionName: "executeOutput",
        args,
      });
    } catch (error) {
      if (isUnreachable(error)) throw error;
      const name = (error as { walk?: (f: (e: unknown) => boolean) => unknown }).walk?.(
        (e) => e instanceof ContractFunctionRevertedError,
      ) as ContractFunctionRevertedError | undefined;
      const revert = name?.data?.errorName;
      if (revert === "OutputNotReexecutable") return this.#record(job, null);
      return this.#wait(
        job,
        output,
        revert === "InvalidOutputsMerkleRoot"
          ? "no accepted claim on chain holds this output (the node lists its epoch as accepted)"
          : `the chain refuses executeOutput: ${revert ?? shortError(error)}`,
      );
    }
    const hash = await this.#wallet.writeContract({
      address: this.#ctx.app,
      abi: applicationAbi,
      functionName: "executeOutput",
      args,
    });
    this.#pending.set(job.key, hash);
    return false;
  }

  /** Whether the executor account has a transaction sent and not yet mined. */
  async #inFlight(): Promise<boolean> {
    if (this.#wallet === undefined) return false;
    const address = this.#wallet.account.address;
    const [pending, latest] = await Promise.all([
      this.#client.getTransactionCount({ address, blockTag: "pending" }),
      this.#client.getTransactionCount({ address, blockTag: "latest" }),
    ]);
    return pending > latest;
  }

  async #record(job: VoucherJob, txHash: Uint8Array | null): Promise<boolean> {
    await this.#ctx.outbox.write([job.executed(txHash, Date.now())]);
    return true;
  }
}
