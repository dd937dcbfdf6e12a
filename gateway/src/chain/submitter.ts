// Carries inputs to InputBox.addInput exactly once.
//
// The account is the gateway's own (nothing else may send from it). Each input gets
// one nonce the first time it is signed; every transaction for it — rebroadcasts and
// fee-bumped replacements — reuses that nonce, so at most one of them can ever be
// mined: the chain itself forbids a duplicate. Every signed transaction is written to
// the outbox BEFORE it is broadcast (write-ahead). After a crash the submitter therefore
// finds, for each unfinished input, the exact transactions that may be on chain:
//
//   crash before sending    → the raw transaction is in the outbox: rebroadcast it
//   crash after sending     → its receipt (or a replacement's) is found, or it is rebroadcast
//   crash after the receipt → the receipt is found again; recording it is idempotent
//
// A mined transaction that reverted spent its nonce without adding the input; so did a
// nonce taken by someone else's transaction. Only then is the input signed again, with a
// new nonce, and only after the receipts of all its transactions have been looked for.
//
// Nonces are assigned in input order, so inputs land in the order they were created
// (a device's registration before its readings) — except an input re-signed after
// losing its nonce, which lands after the inputs already sent behind it.
//
// The chain can also forget (DESIGN §8): a reorganisation or a restarted chain drops mined
// transactions and the node's pool. The inclusion watch (inclusionWatch.ts) puts an input whose
// block the chain no longer has back to "sent, not mined", with its nonce and transactions.
// From there the submitter recovers by itself, without new nonces, so nothing lands twice:
//
//   our transaction unknown to the node     → the same bytes are sent again (probed every
//                                              rebroadcastAfterMs while its nonce is not mined)
//   the account's nonce below every nonce   → the nonces between hold no input of ours (an
//   we have in flight (a gap)                  abandoned or someone else's transaction the chain
//                                              dropped): each is filled with an empty transaction
//                                              to ourselves, and the inputs behind it move again
//   "already known", "replacement underpriced" → the node holds a transaction with that nonce:
//                                              treated as sent (a foreign one is found by the
//                                              lost-nonce rule above once mined)

import {
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  type TransactionSerializableEIP1559,
  createPublicClient,
  encodeFunctionData,
  parseSignature,
  serializeTransaction,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { inputBoxAbi } from "@lcore/contracts";
import { keccak256 } from "@lcore/wasm-core";
import { recordBatchCount } from "@lcore/protocol/recordBatch";
import type { GatewayContext } from "../context.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import type { InputRow, TxRow } from "../outbox/inputStore.js";
import { isUnreachable } from "../system/health.js";
import { failpoint } from "./failpoints.js";
import { type InclusionWatch, inclusionOf } from "./inclusionWatch.js";
import { chainTransport } from "./rpcTransport.js";

export interface SubmitterSettings {
  rpcUrl: string;
  inputBox: Hex;
  gasHeadroomPercent: number;
  replaceAfterMs: number;
  replaceBumpPercent: number;
  maxFeePerGas: bigint;
  maxInFlight: number;
  /** Consecutive checks, over at least lostNonceMs, that must find an input's nonce spent with none of its receipts before it is re-signed. */
  lostNonceChecks: number;
  lostNonceMs: number;
  /** While an input's nonce is not mined, ask this often whether the node still knows its transaction (else send it again). */
  rebroadcastAfterMs: number;
  /** A nonce gap must be seen this long (over two passes) before it is filled. */
  gapMs: number;
}

/** Empty transactions sent per pass to fill a nonce gap. */
const GAP_FILLS_PER_PASS = 16;

export class ChainMismatchError extends Error {
  override name = "ChainMismatchError";
}

type SendOutcome = "sent" | "nonce-too-low" | "failed";

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** What a node's refusal of a raw transaction means for it. */
export function sendRefusal(error: unknown): "known" | "nonce-too-low" | "other" {
  const text = `${(error as { details?: string }).details ?? ""} ${(error as Error).message}`.toLowerCase();
  // The node holds these bytes, or a transaction of the same nonce it prefers: as good as sent.
  if (text.includes("already known") || text.includes("already imported") || text.includes("underpriced"))
    return "known";
  if (text.includes("nonce too low") || text.includes("nonce has already been used")) return "nonce-too-low";
  return "other";
}

export class Submitter {
  readonly #ctx: GatewayContext;
  readonly #s: SubmitterSettings;
  readonly #account: PrivateKeyAccount;
  readonly #client: PublicClient;
  readonly #watch: InclusionWatch | undefined;
  #nextNonce = 0;
  /** Per input: consecutive checks that found its nonce spent and no receipt, since when. */
  readonly #lostChecks = new Map<number, { checks: number; sinceMs: number }>();
  /** Per input: no estimate/sign attempt before this time (backoff after errors). */
  readonly #notBefore = new Map<number, { atMs: number; failures: number }>();
  /** Per input: when the node was last asked whether it knows the input's transaction, and when it was last sent again. */
  readonly #probed = new Map<number, number>();
  readonly #resent = new Map<number, number>();
  /** A nonce gap seen on the last pass: its first nonce and since when. */
  #gap: { nonce: number; sinceMs: number } | undefined;
  #lastRecoveryLogMs = 0;
  #connected = false;

  constructor(ctx: GatewayContext, settings: SubmitterSettings, watch?: InclusionWatch) {
    this.#ctx = ctx;
    this.#s = settings;
    this.#watch = watch;
    this.#account = privateKeyToAccount(ctx.options.submitterKey.reveal());
    const transport = chainTransport(settings.rpcUrl, ctx.health.chain);
    this.#client = createPublicClient({ transport });
  }

  /**
   * Signs a transaction for the configured chain, here: signing only, never sending (the signed
   * bytes must be in the outbox before they go out). The RPC's chain id was checked once
   * (#connect), and a transaction signed for one chain is refused by any other (EIP-155), so
   * nothing is asked per transaction; the signing hash is the project's WASM Keccak, the
   * transaction being up to 65 KiB (viem's wallet client asks eth_chainId and hashes in
   * JavaScript, every time).
   */
  async #signTransaction(tx: Omit<TransactionSerializableEIP1559, "chainId" | "type">): Promise<Hex> {
    const unsigned: TransactionSerializableEIP1559 = { ...tx, type: "eip1559", chainId: Number(this.#ctx.chainId) };
    const hash = toHex(keccak256(fromHex(serializeTransaction(unsigned))));
    return serializeTransaction(unsigned, parseSignature(await this.#account.sign({ hash })));
  }

  get address(): Hex {
    return this.#account.address;
  }

  /**
   * Checks the chain id and finds the next nonce from the chain and the outbox. A chain that
   * does not answer does not stop the gateway from starting (readings are still taken into the
   * outbox): the first pass that reaches it does this instead. A chain of another id does.
   */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
    }
  }

  async #connect(): Promise<void> {
    const chainId = await this.#client.getChainId();
    if (BigInt(chainId) !== this.#ctx.chainId) {
      throw new ChainMismatchError(
        `the RPC serves chain ${chainId}, the gateway is configured for ${this.#ctx.chainId}`,
      );
    }
    await this.#syncNonce();
    this.#connected = true;
  }

  async #syncNonce(): Promise<void> {
    const pending = await this.#client.getTransactionCount({ address: this.#account.address, blockTag: "pending" });
    const stored = this.#ctx.outbox.inputs.maxNonce();
    this.#nextNonce = Math.max(this.#nextNonce, pending, stored === null ? 0 : stored + 1);
  }

  /** One pass: reconcile what is in flight, fill a nonce gap, then send what is new. Returns the number of inputs that changed. */
  async step(): Promise<number> {
    const limit = this.#s.maxInFlight * 4 + 64;
    const inputs = this.#ctx.outbox.inputs.unincluded(limit);
    if (inputs.length === 0) return 0;
    if (!this.#connected) await this.#connect();
    let changed = 0;
    const latestNonce = await this.#client.getTransactionCount({ address: this.#account.address, blockTag: "latest" });
    // Inputs recorded mined with a nonce the chain has not reached are not on chain: the watch checks them now.
    this.#watch?.noticeNonce(latestNonce);
    let inFlight = 0;
    for (const input of inputs) {
      if (input.nonce === null) continue;
      const done = await this.#reconcile(input, latestNonce);
      if (done) changed++;
      else if (this.#ctx.outbox.inputs.get(input.id)?.nonce !== null) inFlight++;
    }
    const waiting = this.#ctx.outbox.inputs.unincluded(limit);
    await this.#fillGap(waiting, latestNonce);
    for (const input of waiting) {
      if (input.nonce !== null) continue;
      if (inFlight >= this.#s.maxInFlight) break;
      const wait = this.#notBefore.get(input.id);
      // Keep input order: a failing input blocks those behind it rather than letting them overtake.
      if (wait !== undefined && wait.atMs > Date.now()) break;
      const sent = await this.#signAndSend(input);
      if (!sent) break;
      inFlight++;
      changed++;
    }
    return changed;
  }

  /** True if the input is now included (or must be signed again). */
  async #reconcile(input: InputRow, latestNonce: number): Promise<boolean> {
    const nonce = input.nonce!;
    const txs = this.#ctx.outbox.inputs.txsOf(input.id).filter((t) => t.nonce === nonce && !t.abandoned);
    if (latestNonce <= nonce) {
      // Nothing with this nonce is mined yet: keep it moving.
      this.#lostChecks.delete(input.id);
      await this.#keepMoving(input, txs);
      return false;
    }

    // The nonce is spent: by one of ours, whose receipt says where the input went.
    for (const tx of txs) {
      const receipt = await this.#receipt(tx.hash);
      if (receipt === null) continue;
      const inclusion = inclusionOf(receipt, this.#s.inputBox, this.#ctx.app, Date.now());
      if (inclusion === null) {
        if (receipt.status === "success")
          throw new Error(`transaction ${toHex(tx.hash)} succeeded without an InputAdded log for the app`);
        this.#ctx.metrics.submitErrors.inc({ stage: "reverted" });
        await this.#ctx.outbox.inputs.abandonNonce(input.id, nonce);
        return true;
      }
      await this.#ctx.outbox.inputs.include(input.id, { txHash: tx.hash, ...inclusion });
      this.#forget(input.id);
      this.#ctx.health.progressed("inclusion");
      this.#record(input, txs, inclusion.gasUsed);
      failpoint("receipt-recorded");
      return true;
    }

    // Spent, and none of our transactions has a receipt: either it is not visible yet,
    // or another sender used the nonce. Only a finding repeated over checks and time
    // re-signs the input: re-signing while one of ours is mined would add it twice.
    const seen = this.#lostChecks.get(input.id) ?? { checks: 0, sinceMs: Date.now() };
    seen.checks++;
    this.#lostChecks.set(input.id, seen);
    if (seen.checks < this.#s.lostNonceChecks || Date.now() - seen.sinceMs < this.#s.lostNonceMs) return false;
    this.#ctx.metrics.submitErrors.inc({ stage: "nonce-lost" });
    await this.#ctx.outbox.inputs.abandonNonce(input.id, nonce);
    this.#lostChecks.delete(input.id);
    return true;
  }

  #forget(inputId: number): void {
    this.#lostChecks.delete(inputId);
    this.#probed.delete(inputId);
    this.#resent.delete(inputId);
  }

  /**
   * The input's nonce is not mined: send its transaction if it never went out, send the same
   * bytes again if the node no longer knows them (a restarted node, a reorganisation), or
   * replace it with higher fees once it has waited replaceAfterMs since it last went out.
   */
  async #keepMoving(input: InputRow, txs: TxRow[]): Promise<void> {
    const last = txs[txs.length - 1];
    if (last === undefined) return;
    if (last.sentMs === null) {
      // Written ahead but never sent (or the send failed): send these exact bytes.
      await this.#send(last);
      return;
    }
    const now = Date.now();
    const resent = this.#resent.get(input.id) ?? 0;
    if (now - (this.#probed.get(input.id) ?? Math.max(last.sentMs, resent)) >= this.#s.rebroadcastAfterMs) {
      this.#probed.set(input.id, now);
      if (!(await this.#known(last.hash))) {
        await this.#send(last, true);
        this.#resent.set(input.id, now);
        this.#ctx.metrics.txRebroadcasts.inc();
        this.#recoveryLog(
          { input: input.id, nonce: last.nonce },
          "the chain's node had lost a transaction of the gateway's; sent the same bytes again",
        );
        return;
      }
    }
    if (now - Math.max(last.sentMs, resent) > this.#s.replaceAfterMs) await this.#replace(input, last);
  }

  /** Whether the node knows the transaction (pending or mined). */
  async #known(hash: Uint8Array): Promise<boolean> {
    const tx = await this.#client.request({ method: "eth_getTransactionByHash", params: [toHex(hash)] });
    return tx !== null;
  }

  /**
   * The chain's account nonce is below every nonce the gateway has in flight: the nonces between
   * are held by no input of ours (an abandoned transaction, or someone else's from this account,
   * that the chain dropped), so nothing behind them can be mined. Seen on two passes at least
   * gapMs apart, each such nonce gets an empty transaction to ourselves: it adds no input, and at
   * most one transaction per nonce is mined, so a late copy of the dropped one changes nothing.
   */
  async #fillGap(waiting: InputRow[], latestNonce: number): Promise<void> {
    const held = waiting.flatMap((i) => (i.nonce === null ? [] : [i.nonce]));
    const lowest = held.length === 0 ? null : Math.min(...held);
    // An input recorded mined at a nonce in the gap is not on chain: the watch clears it first.
    const mined = this.#ctx.outbox.inputs.minedFromNonce(latestNonce, 1);
    if (lowest === null || latestNonce >= lowest || mined.length > 0) {
      this.#gap = undefined;
      return;
    }
    const now = Date.now();
    if (this.#gap?.nonce !== latestNonce) {
      this.#gap = { nonce: latestNonce, sinceMs: now };
      return;
    }
    if (now - this.#gap.sinceMs < this.#s.gapMs) return;
    const fees = await this.#fees();
    const upTo = Math.min(lowest, latestNonce + GAP_FILLS_PER_PASS);
    for (let nonce = latestNonce; nonce < upTo; nonce++) {
      const raw = await this.#signTransaction({
        nonce,
        to: this.#account.address,
        value: 0n,
        gas: 21_000n,
        ...fees,
      });
      try {
        await this.#client.sendRawTransaction({ serializedTransaction: raw });
      } catch (error) {
        if (isUnreachable(error) || sendRefusal(error) === "other") throw error;
      }
      this.#ctx.metrics.nonceGapFills.inc();
    }
    this.#gap = undefined;
    this.#recoveryLog(
      { fromNonce: latestNonce, toNonce: upTo - 1, nextInFlight: lowest },
      "nonce gap: the chain dropped transactions that carried no pending input; filled with empty transactions",
    );
  }

  /** Logs a recovery at warn, at most once a minute (the metrics count every one). */
  #recoveryLog(fields: object, message: string): void {
    const now = Date.now();
    if (now - this.#lastRecoveryLogMs < 60_000) return;
    this.#lastRecoveryLogMs = now;
    this.#ctx.health.log.warn(fields, message);
  }

  /** The receipt, or null if the node has none; any other failure aborts the pass (it must not count as "none"). */
  async #receipt(hash: Uint8Array): Promise<TransactionReceipt | null> {
    try {
      return await this.#client.getTransactionReceipt({ hash: toHex(hash) });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    }
  }

  #record(input: InputRow, txs: TxRow[], gasUsed: number): void {
    const { metrics } = this.#ctx;
    metrics.inputsSubmitted.inc({ kind: input.kind });
    metrics.gasUsed.inc({ kind: input.kind }, gasUsed);
    const first = txs[0];
    if (first !== undefined) metrics.submitSeconds.observe((Date.now() - first.signedMs) / 1000);
    if (input.kind === "records") {
      const records = recordBatchCount(input.payload);
      if (records > 0) metrics.gasPerRecord.observe(gasUsed / records);
    }
  }

  #calldata(input: InputRow): Hex {
    return encodeFunctionData({
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [this.#ctx.app, toHex(input.payload)],
    });
  }

  async #fees(): Promise<Fees> {
    const f = await this.#client.estimateFeesPerGas();
    const cap = this.#s.maxFeePerGas;
    const maxFeePerGas = f.maxFeePerGas > cap ? cap : f.maxFeePerGas;
    const maxPriorityFeePerGas = f.maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : f.maxPriorityFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  /** `data`: the input's calldata (#calldata), made once per attempt: it is up to 130 KiB of hex. */
  async #sign(input: InputRow, data: Hex, nonce: number, gas: bigint, fees: Fees): Promise<TxRow> {
    const raw = await this.#signTransaction({
      nonce,
      to: this.#s.inputBox,
      data,
      value: 0n,
      gas,
      ...fees,
    });
    const rawBytes = fromHex(raw);
    const tx: TxRow = {
      hash: keccak256(rawBytes), // the project's WASM Keccak: the raw transaction is up to 65 KiB
      inputId: input.id,
      nonce,
      raw: rawBytes,
      maxFee: fees.maxFeePerGas,
      maxPriority: fees.maxPriorityFeePerGas,
      signedMs: Date.now(),
      sentMs: null,
      abandoned: false,
    };
    await this.#ctx.outbox.inputs.recordSigned(tx); // write-ahead: durable before it can reach the network
    failpoint("tx-signed");
    return tx;
  }

  async #signAndSend(input: InputRow): Promise<boolean> {
    let tx: TxRow;
    try {
      const data = this.#calldata(input);
      const estimate = await this.#client.estimateGas({ account: this.#account.address, to: this.#s.inputBox, data });
      const gas = estimate + (estimate * BigInt(this.#s.gasHeadroomPercent)) / 100n;
      tx = await this.#sign(input, data, this.#nextNonce, gas, await this.#fees());
    } catch (error) {
      if (isUnreachable(error)) throw error;
      this.#ctx.metrics.submitErrors.inc({ stage: "estimate" });
      this.#backoff(input.id, error);
      return false;
    }
    this.#nextNonce++;
    this.#notBefore.delete(input.id);
    const outcome = await this.#send(tx);
    if (outcome === "nonce-too-low") {
      // Fresh nonce already used: someone else sent from this account. Nothing of ours can
      // be mined with it (this input had no other transaction), so re-sign with a new one.
      await this.#ctx.outbox.inputs.abandonNonce(input.id, tx.nonce);
      await this.#syncNonce();
    }
    return outcome === "sent";
  }

  async #replace(input: InputRow, last: TxRow): Promise<void> {
    const bump = (v: bigint) => v + (v * BigInt(this.#s.replaceBumpPercent)) / 100n;
    let fees: Fees;
    try {
      const now = await this.#fees();
      const maxFeePerGas = [bump(last.maxFee), now.maxFeePerGas].reduce((a, b) => (a > b ? a : b));
      const maxPriorityFeePerGas = [bump(last.maxPriority), now.maxPriorityFeePerGas].reduce((a, b) => (a > b ? a : b));
      fees = { maxFeePerGas, maxPriorityFeePerGas };
    } catch {
      this.#ctx.metrics.submitErrors.inc({ stage: "fees" });
      return;
    }
    if (fees.maxFeePerGas > this.#s.maxFeePerGas) {
      // At the fee cap: the same bytes again is all that is allowed.
      await this.#send(last, true);
      return;
    }
    if (fees.maxPriorityFeePerGas > fees.maxFeePerGas) fees.maxPriorityFeePerGas = fees.maxFeePerGas;
    const data = this.#calldata(input);
    const gas = await this.#client
      .estimateGas({ account: this.#account.address, to: this.#s.inputBox, data })
      .catch(() => null);
    if (gas === null) return;
    const tx = await this.#sign(input, data, last.nonce, gas + (gas * BigInt(this.#s.gasHeadroomPercent)) / 100n, fees);
    this.#ctx.metrics.txReplacements.inc();
    await this.#send(tx);
  }

  async #send(tx: TxRow, rebroadcast = false): Promise<SendOutcome> {
    try {
      await this.#client.sendRawTransaction({ serializedTransaction: toHex(tx.raw) });
    } catch (error) {
      if (isUnreachable(error)) throw error; // no answer: the pass stops and the loop backs off
      const refusal = sendRefusal(error);
      if (refusal === "nonce-too-low") return "nonce-too-low";
      if (refusal === "other") {
        this.#ctx.metrics.submitErrors.inc({ stage: "send" });
        return "failed";
      }
    }
    if (!rebroadcast || tx.sentMs === null) await this.#ctx.outbox.inputs.markSent(tx.hash, Date.now());
    failpoint("tx-sent");
    return "sent";
  }

  #backoff(inputId: number, _error: unknown): void {
    const prev = this.#notBefore.get(inputId);
    const failures = (prev?.failures ?? 0) + 1;
    this.#notBefore.set(inputId, { atMs: Date.now() + Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), failures });
  }
}
