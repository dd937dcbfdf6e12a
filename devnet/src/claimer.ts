// Submit each sealed epoch's claim to the Authority, oldest first:
// submitClaim(app, lastProcessedBlockNumber = the epoch's last block, outputsMerkleRoot).
// The Authority accepts a claim from its owner at once (ClaimAccepted in the same receipt).

import { BaseError, ContractFunctionRevertedError, parseEventLogs } from "viem";
import { authorityAbi } from "./abis.js";
import type { ChainClients } from "./chainClient.js";
import type { Deployment } from "./deploy.js";
import { ChainError, StateMismatchError } from "./errors.js";
import type { Hex } from "./hex.js";
import type { EpochRow, Store } from "./store.js";

export class Claimer {
  constructor(
    private readonly clients: ChainClients,
    private readonly deployment: Deployment,
    private readonly store: Store,
    private readonly log: (message: string) => void,
  ) {}

  /** Submit the claims of every sealed epoch not yet accepted, in order; stops at the first unsealed one. */
  async submitPending(): Promise<void> {
    for (const epoch of this.store.unfinishedEpochs()) {
      if (epoch.status !== "CLAIM_COMPUTED" && epoch.status !== "CLAIM_SUBMITTED") return;
      if (!(await this.submit(epoch))) return;
    }
  }

  /** Returns false if the claim cannot be submitted yet. */
  private async submit(epoch: EpochRow): Promise<boolean> {
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
      if (reason === "NotPastBlock") return false;
      if (reason === "NotFirstClaim") return this.adoptExisting(epoch, root);
      throw new ChainError(
        `claim of epoch ${epoch.index}: ${(err as BaseError).shortMessage ?? (err as Error).message}`,
        { cause: err },
      );
    }
    const hash = await this.clients.wallet.writeContract({
      address: authority,
      abi: authorityAbi,
      functionName: "submitClaim",
      args,
      account: this.clients.account,
      chain: this.clients.chain,
    });
    this.store.setEpochStatus(epoch.index, "CLAIM_SUBMITTED", hash);
    const receipt = await this.clients.public.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== "success")
      throw new ChainError(`claim of epoch ${epoch.index}: transaction ${hash} reverted`);
    const accepted = parseEventLogs({ abi: authorityAbi, eventName: "ClaimAccepted", logs: receipt.logs }).some(
      (log) =>
        log.args.appContract.toLowerCase() === application.toLowerCase() &&
        log.args.lastProcessedBlockNumber === BigInt(epoch.lastBlock),
    );
    if (accepted) {
      this.store.setEpochStatus(epoch.index, "CLAIM_ACCEPTED", hash);
      this.log(
        `epoch ${epoch.index} (blocks ${epoch.firstBlock}-${epoch.lastBlock}, inputs ${epoch.inputLower}-${epoch.inputUpper - 1}): claim ${root} accepted`,
      );
    }
    return accepted;
  }

  /** The Authority already has a claim for this epoch (submitted before a restart): it must be ours. */
  private async adoptExisting(epoch: EpochRow, root: Hex): Promise<boolean> {
    const { application, authority } = this.deployment;
    const valid = await this.clients.public.readContract({
      address: authority,
      abi: authorityAbi,
      functionName: "isOutputsMerkleRootValid",
      args: [application, root],
    });
    if (!valid) {
      throw new StateMismatchError(
        `the Authority holds another claim for epoch ${epoch.index} of ${application} than the node's ${root}`,
      );
    }
    const logs = await this.clients.public.getContractEvents({
      address: authority,
      abi: authorityAbi,
      eventName: "ClaimAccepted",
      args: { appContract: application },
      fromBlock: BigInt(epoch.lastBlock + 1),
    });
    const log = logs.find((l) => l.args.lastProcessedBlockNumber === BigInt(epoch.lastBlock));
    this.store.setEpochStatus(epoch.index, "CLAIM_ACCEPTED", log?.transactionHash ?? undefined);
    return true;
  }
}

/** The custom error name of a reverted simulation, if that is what failed. */
function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}
