// Executes each settled period's settlePeriod voucher (PROTOCOL §9) with
// Application.executeOutput(output, proof), once its epoch's claim is accepted, and
// records that it was executed: from then on the period's readings are `settled`.
//
// The executor signs with its own key (LCORE_GW_EXECUTOR_KEY), never the submitter's: the
// submitter owns its account's nonces (chain/submitter.ts) and must see no other sender. Without
// that key the executor only watches: a voucher someone else executed is recorded too
// (wasOutputExecuted, with the node's execution transaction when it has one).
//
// An output executes once (the Application reverts a second time), so a duplicate
// transaction after a crash can only waste gas, not settle twice; to avoid even that, no
// transaction is sent while the executor account has one pending.

import {
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
  TransactionReceiptNotFoundError,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { applicationAbi } from "@lcore/contracts";
import type { GatewayContext } from "../context.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import type { PeriodRow } from "../outbox/settlementStore.js";
import type { OutputReader } from "../chain/nodeReader.js";

/** Vouchers looked at per pass. */
const VOUCHERS_PER_PASS = 16;

export class VoucherExecutor {
  readonly #ctx: GatewayContext;
  readonly #reader: OutputReader;
  readonly #client: PublicClient;
  readonly #wallet: WalletClient<Transport, Chain, PrivateKeyAccount> | undefined;
  /** Per period: the executeOutput transaction sent and not yet seen mined. */
  readonly #pending = new Map<bigint, Hex>();

  constructor(ctx: GatewayContext, reader: OutputReader, rpcUrl: string, executorKey: Hex | undefined) {
    this.#ctx = ctx;
    this.#reader = reader;
    const transport = http(rpcUrl, { retryCount: 0, timeout: 15_000 });
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
  async step(): Promise<number> {
    let done = 0;
    for (const p of this.#ctx.outbox.settlements.unexecuted(VOUCHERS_PER_PASS)) {
      if (await this.#advance(p)) done++;
    }
    return done;
  }

  /** True once the period's voucher is recorded executed. */
  async #advance(p: PeriodRow): Promise<boolean> {
    const index = p.voucherIndex!;
    const sent = this.#pending.get(p.period);
    if (sent !== undefined) {
      const receipt = await this.#client.getTransactionReceipt({ hash: sent }).catch((e: unknown) => {
        if (e instanceof TransactionReceiptNotFoundError) return null;
        throw e;
      });
      // No receipt and nothing of ours in flight: the transaction was dropped (evicted, node restarted); look again below.
      if (receipt === null && (await this.#inFlight())) return false;
      this.#pending.delete(p.period);
      if (receipt?.status === "success") return this.#record(p, fromHex(sent));
      // Reverted: someone else's execution came first, or the claim changed; look again below.
    }
    const output = await this.#reader.output(index);
    if (output === null) return false;
    if (output.executionTxHash !== null) return this.#record(p, fromHex(output.executionTxHash));
    const executed = await this.#client.readContract({
      address: this.#ctx.app,
      abi: applicationAbi,
      functionName: "wasOutputExecuted",
      args: [BigInt(index)],
    });
    if (executed) return this.#record(p, null);
    if (this.#wallet === undefined || output.siblings === null) return false;
    if ((await this.#reader.epochStatus(output.epochIndex)) !== "CLAIM_ACCEPTED") return false;
    if (await this.#inFlight()) return false; // one of ours is in flight (perhaps from before a restart)
    const hash = await this.#wallet.writeContract({
      address: this.#ctx.app,
      abi: applicationAbi,
      functionName: "executeOutput",
      args: [toHex(p.voucher!), { outputIndex: BigInt(index), outputHashesSiblings: output.siblings }],
    });
    this.#pending.set(p.period, hash);
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

  async #record(p: PeriodRow, txHash: Uint8Array | null): Promise<boolean> {
    await this.#ctx.outbox.write([this.#ctx.outbox.settlements.executedStatement(p.period, txHash, Date.now())]);
    return true;
  }
}
