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

import {
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  type Transport,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  http,
  keccak256,
  parseEventLogs,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { inputBoxAbi } from "@lcore/contracts";
import { recordBatchCount } from "@lcore/protocol/recordBatch";
import type { GatewayContext } from "../context.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import type { InputRow, TxRow } from "../outbox/inputStore.js";
import { failpoint } from "./failpoints.js";

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
}

export class ChainMismatchError extends Error {
  override name = "ChainMismatchError";
}

type SendOutcome = "sent" | "nonce-too-low" | "failed";

export class Submitter {
  readonly #ctx: GatewayContext;
  readonly #s: SubmitterSettings;
  readonly #account: PrivateKeyAccount;
  readonly #client: PublicClient;
  /** Signs only (never sends): the signed bytes must be in the outbox before they go out. */
  readonly #wallet: WalletClient<Transport, Chain, PrivateKeyAccount>;
  #nextNonce = 0;
  /** Per input: consecutive checks that found its nonce spent and no receipt, since when. */
  readonly #lostChecks = new Map<number, { checks: number; sinceMs: number }>();
  /** Per input: no estimate/sign attempt before this time (backoff after errors). */
  readonly #notBefore = new Map<number, { atMs: number; failures: number }>();

  constructor(ctx: GatewayContext, settings: SubmitterSettings) {
    this.#ctx = ctx;
    this.#s = settings;
    this.#account = privateKeyToAccount(ctx.options.submitterKey.reveal());
    const transport = http(settings.rpcUrl, { retryCount: 0, timeout: 15_000 });
    this.#client = createPublicClient({ transport });
    const chain = defineChain({
      id: Number(ctx.chainId),
      name: `chain ${ctx.chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [settings.rpcUrl] } },
    });
    this.#wallet = createWalletClient({ account: this.#account, chain, transport });
  }

  get address(): Hex {
    return this.#account.address;
  }

  /** Checks the chain id and finds the next nonce from the chain and the outbox. */
  async start(): Promise<void> {
    const chainId = await this.#client.getChainId();
    if (BigInt(chainId) !== this.#ctx.chainId) {
      throw new ChainMismatchError(
        `the RPC serves chain ${chainId}, the gateway is configured for ${this.#ctx.chainId}`,
      );
    }
    await this.#syncNonce();
  }

  async #syncNonce(): Promise<void> {
    const pending = await this.#client.getTransactionCount({ address: this.#account.address, blockTag: "pending" });
    const stored = this.#ctx.outbox.inputs.maxNonce();
    this.#nextNonce = Math.max(this.#nextNonce, pending, stored === null ? 0 : stored + 1);
  }

  /** One pass: reconcile what is in flight, then send what is new. Returns the number of inputs that changed. */
  async step(): Promise<number> {
    const inputs = this.#ctx.outbox.inputs.unincluded(this.#s.maxInFlight * 4 + 64);
    if (inputs.length === 0) return 0;
    let changed = 0;
    const latestNonce = await this.#client.getTransactionCount({ address: this.#account.address, blockTag: "latest" });
    let inFlight = 0;
    for (const input of inputs) {
      if (input.nonce === null) continue;
      const done = await this.#reconcile(input, latestNonce);
      if (done) changed++;
      else if (this.#ctx.outbox.inputs.get(input.id)?.nonce !== null) inFlight++;
    }
    for (const input of this.#ctx.outbox.inputs.unincluded(this.#s.maxInFlight * 4 + 64)) {
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
      const last = txs[txs.length - 1];
      if (last === undefined) return false;
      if (last.sentMs === null) {
        // Written ahead but never sent (or the send failed): send these exact bytes.
        await this.#send(last);
      } else if (Date.now() - last.sentMs > this.#s.replaceAfterMs) {
        await this.#replace(input, last);
      }
      return false;
    }

    // The nonce is spent: by one of ours, whose receipt says where the input went.
    for (const tx of txs) {
      const receipt = await this.#receipt(tx.hash);
      if (receipt === null) continue;
      if (receipt.status !== "success") {
        this.#ctx.metrics.submitErrors.inc({ stage: "reverted" });
        await this.#ctx.outbox.inputs.abandonNonce(input.id, nonce);
        return true;
      }
      const added = parseEventLogs({ abi: inputBoxAbi, logs: receipt.logs, eventName: "InputAdded" }).find(
        (l) =>
          l.address.toLowerCase() === this.#s.inputBox.toLowerCase() &&
          l.args.appContract.toLowerCase() === this.#ctx.app,
      );
      if (added === undefined)
        throw new Error(`transaction ${toHex(tx.hash)} succeeded without an InputAdded log for the app`);
      const gasUsed = Number(receipt.gasUsed);
      await this.#ctx.outbox.inputs.include(input.id, {
        txHash: tx.hash,
        blockNumber: Number(receipt.blockNumber),
        inputIndex: Number(added.args.index),
        gasUsed,
        includedMs: Date.now(),
      });
      this.#lostChecks.delete(input.id);
      this.#record(input, txs, gasUsed);
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

  async #fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const f = await this.#client.estimateFeesPerGas();
    const cap = this.#s.maxFeePerGas;
    const maxFeePerGas = f.maxFeePerGas > cap ? cap : f.maxFeePerGas;
    const maxPriorityFeePerGas = f.maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : f.maxPriorityFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  async #sign(
    input: InputRow,
    nonce: number,
    gas: bigint,
    fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<TxRow> {
    // The wallet client checks that the RPC serves the configured chain before signing.
    const raw = await this.#wallet.signTransaction({
      type: "eip1559",
      nonce,
      to: this.#s.inputBox,
      data: this.#calldata(input),
      value: 0n,
      gas,
      ...fees,
    });
    const tx: TxRow = {
      hash: fromHex(keccak256(raw)),
      inputId: input.id,
      nonce,
      raw: fromHex(raw),
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
      const estimate = await this.#client.estimateGas({
        account: this.#account.address,
        to: this.#s.inputBox,
        data: this.#calldata(input),
      });
      const gas = estimate + (estimate * BigInt(this.#s.gasHeadroomPercent)) / 100n;
      tx = await this.#sign(input, this.#nextNonce, gas, await this.#fees());
    } catch (error) {
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
    let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
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
    const gas = await this.#client
      .estimateGas({ account: this.#account.address, to: this.#s.inputBox, data: this.#calldata(input) })
      .catch(() => null);
    if (gas === null) return;
    const tx = await this.#sign(input, last.nonce, gas + (gas * BigInt(this.#s.gasHeadroomPercent)) / 100n, fees);
    this.#ctx.metrics.txReplacements.inc();
    await this.#send(tx);
  }

  async #send(tx: TxRow, rebroadcast = false): Promise<SendOutcome> {
    try {
      await this.#client.sendRawTransaction({ serializedTransaction: toHex(tx.raw) });
    } catch (error) {
      const text = `${(error as { details?: string }).details ?? ""} ${(error as Error).message}`.toLowerCase();
      if (text.includes("already known") || text.includes("already imported")) {
        // The node has these bytes: as good as sent.
      } else if (text.includes("nonce too low") || text.includes("nonce has already been used")) {
        return "nonce-too-low";
      } else {
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
