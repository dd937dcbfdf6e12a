// Submit each sealed epoch's claim to the Authority, oldest first:
// submitClaim(app, lastProcessedBlockNumber = the epoch's last block, outputsMerkleRoot).
// The Authority accepts a claim from its owner at once (ClaimAccepted in the same receipt), but
// the node counts it accepted only once it reads that ClaimAccepted at its confidence level
// (inputReader.ts); until then the epoch is CLAIM_SUBMITTED. A submitted claim the chain no
// longer has (a reorganisation dropped it, or the chain restarted without it) is sent again.
// Epochs are sealed only once their last block is read at the node's confidence, so no claim
// covers blocks above it.

import { BaseError, ContractFunctionRevertedError, TransactionNotFoundError } from "viem";
import { authorityAbi } from "./abis.js";
import type { ChainClients } from "./chainClient.js";
import type { Deployment } from "./deploy.js";
import { ChainError } from "./errors.js";
import type { Hex } from "./hex.js";
import type { EpochRow, Store } from "./store.js";

/** What to do after one epoch: go on with the next, or wait for the chain. */
type Next = "next" | "wait";

export class Claimer {
  /** Epochs whose root the Authority refused because it holds another, already said (said once each). */
  private readonly foreign = new Set<string>();

  constructor(
    private readonly clients: ChainClients,
    private readonly deployment: Deployment,
    private readonly store: Store,
    private readonly log: (message: string) => void,
    /** The reader's check that the chain still has the blocks the node read (InputReader.checkpointCanonical). */
    private readonly checkpointCanonical: () => Promise<boolean>,
  ) {}

  /** Make sure the chain has the claim of every sealed epoch not yet accepted, in order; stops at the first unsealed one. */
  async submitPending(): Promise<void> {
    for (const epoch of this.store.unfinishedEpochs()) {
      if (epoch.status !== "CLAIM_COMPUTED" && epoch.status !== "CLAIM_SUBMITTED") return;
      if ((await this.ensureClaimed(epoch)) === "wait") return;
    }
  }

  /** Submit the epoch's claim unless the chain (at its latest block) has it already, or cannot take it yet. */
  private async ensureClaimed(epoch: EpochRow): Promise<Next> {
    const { application, authority } = this.deployment;
    const root = epoch.outputsRoot!;
    const args = [application, BigInt(epoch.lastBlock), root] as const;
    try {
      await this.clients.public.simulateContract({
        address: authority,
        abi: authorityAbi,
        functionName: "submitClaim",
        args,
        account: this.clients.account,
      });
    } catch (err) {
      const reason = revertName(err);
      if (reason === "NotPastBlock") return "wait";
      if (reason === "NotFirstClaim") return this.adoptExisting(epoch, root);
      throw new ChainError(
        `claim of epoch ${epoch.index}: ${(err as BaseError).shortMessage ?? (err as Error).message}`,
        { cause: err },
      );
    }
    // The chain has no claim for this epoch. One submitted before may still be on its way.
    if (epoch.status === "CLAIM_SUBMITTED" && epoch.claimTxHash && (await this.pending(epoch.claimTxHash)))
      return "wait";
    if (epoch.status === "CLAIM_SUBMITTED")
      this.log(`epoch ${epoch.index}: its claim is no longer on chain (reorganised away?); submitting it again`);
    // The root is only right for the blocks the node read. Should the chain have changed under
    // them since (a reorganisation deeper than the confidence level), the next sync rolls the
    // node back; a claim sent now would put a stale root first, and the Authority keeps the first.
    if (!(await this.checkpointCanonical())) return "wait";
    const hash = await this.clients.wallet.writeContract({
      address: authority,
      abi: authorityAbi,
      functionName: "submitClaim",
      args,
      account: this.clients.account,
      chain: this.clients.chain,
    });
    this.store.setEpochStatus(epoch.index, "CLAIM_SUBMITTED", hash);
    const receipt = await this.clients.public.waitForTransactionReceipt({ hash, timeout: 60_000 });
    if (receipt.status !== "success")
      throw new ChainError(`claim of epoch ${epoch.index}: transaction ${hash} reverted`);
    this.log(`epoch ${epoch.index} (blocks ${epoch.firstBlock}-${epoch.lastBlock}): claim ${root} submitted`);
    return "next";
  }

  /** The Authority already has a claim for this epoch (submitted before a restart or a rollback): it must be ours. */
  private async adoptExisting(epoch: EpochRow, root: Hex): Promise<Next> {
    const { application, authority } = this.deployment;
    const valid = await this.clients.public.readContract({
      address: authority,
      abi: authorityAbi,
      functionName: "isOutputsMerkleRootValid",
      args: [application, root],
    });
    if (!valid) {
      // Another root holds the epoch (a claim sent before a reorganisation changed its inputs,
      // then included again). Nothing the node can send replaces it; say so once and go on.
      const key = `${epoch.index}:${root}`;
      if (!this.foreign.has(key)) {
        this.foreign.add(key);
        this.log(
          `epoch ${epoch.index}: the Authority holds another claim for blocks ${epoch.firstBlock}-${epoch.lastBlock} than the node's ${root}; its outputs cannot be proven against it`,
        );
      }
      return "next";
    }
    if (epoch.status === "CLAIM_COMPUTED") this.store.setEpochStatus(epoch.index, "CLAIM_SUBMITTED");
    return "next";
  }

  /** Is the transaction known to the chain and not yet in a block? */
  private async pending(hash: Hex): Promise<boolean> {
    try {
      const tx = await this.clients.public.getTransaction({ hash });
      return tx.blockNumber === null;
    } catch (err) {
      if (err instanceof TransactionNotFoundError) return false;
      throw err;
    }
  }
}

/** The custom error name of a reverted simulation, if that is what failed. */
function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}
