// Follow the chain for one application: InputAdded events from the InputBox (decoded as
// EvmAdvance calls, DESIGN §6) and OutputExecuted events from the Application, from the
// Application's deployment block on, in bounded block ranges, into the store.

import { decodeFunctionData, keccak256, numberToHex, slice } from "viem";
import { EVM_ADVANCE_SELECTOR, applicationAbi, inputBoxAbi, inputsAbi } from "./abis.js";
import type { ChainClients } from "./chainClient.js";
import type { Deployment } from "./deploy.js";
import { InputError, StateMismatchError } from "./errors.js";
import type { Hex } from "./hex.js";
import type { NewInput, Store } from "./store.js";

/** Widest block range asked of eth_getLogs at once (public RPCs often cap it near 10,000). */
export const MAX_LOG_BLOCK_RANGE = 5_000;

/** Decode one InputAdded `input` as the EvmAdvance call it must be. */
export function decodeEvmAdvance(raw: Hex): Omit<NewInput, "raw" | "txHash"> & { appContract: Hex } {
  if (slice(raw, 0, 4) !== EVM_ADVANCE_SELECTOR)
    throw new InputError(`input does not start with the EvmAdvance selector ${EVM_ADVANCE_SELECTOR}`);
  const { args } = decodeFunctionData({ abi: inputsAbi, data: raw });
  const [chainId, appContract, msgSender, blockNumber, blockTimestamp, prevRandao, index, payload] = args;
  return {
    chainId: Number(chainId),
    appContract,
    msgSender,
    blockNumber: Number(blockNumber),
    blockTimestamp: Number(blockTimestamp),
    prevRandao: numberToHex(prevRandao, { size: 32 }),
    index: Number(index),
    payload,
  };
}

export class InputReader {
  constructor(
    private readonly clients: ChainClients,
    private readonly deployment: Deployment,
    private readonly store: Store,
    private readonly maxBlockRange = MAX_LOG_BLOCK_RANGE,
  ) {}

  /**
   * Check that the chain still has what the store recorded: a chain that was reset (a fresh
   * anvil) under an old state directory would otherwise feed the node a different history.
   */
  async checkChainHasStoredInputs(): Promise<void> {
    const stored = this.store.inputCount();
    if (stored === 0) return;
    const { application, contracts } = this.deployment;
    const onChain = await this.clients.public.readContract({
      address: contracts.InputBox,
      abi: inputBoxAbi,
      functionName: "getNumberOfInputs",
      args: [application],
    });
    const last = this.store.getInput(stored - 1)!;
    const hash =
      onChain >= BigInt(stored)
        ? await this.clients.public.readContract({
            address: contracts.InputBox,
            abi: inputBoxAbi,
            functionName: "getInputHash",
            args: [application, BigInt(stored - 1)],
          })
        : undefined;
    if (hash !== keccak256(last.raw)) {
      throw new StateMismatchError(
        `the chain has ${onChain} inputs for ${application} and not the ${stored} this state directory recorded (was the chain reset?). Delete the state directory to start over.`,
      );
    }
  }

  /** Read one bounded range of new blocks; returns the last block now covered and the chain's latest. */
  async sync(): Promise<{ scannedTo: number; latest: number }> {
    const latest = Number(await this.clients.public.getBlockNumber());
    const from = Math.max(this.store.lastScannedBlock() + 1, this.deployment.deploymentBlock);
    if (from > latest) return { scannedTo: this.store.lastScannedBlock(), latest };
    const to = Math.min(latest, from + this.maxBlockRange - 1);
    const range = { fromBlock: BigInt(from), toBlock: BigInt(to) };
    const [added, executed] = await Promise.all([
      this.clients.public.getLogs({
        address: this.deployment.contracts.InputBox,
        event: inputBoxAbi.find((item) => item.type === "event" && item.name === "InputAdded")!,
        args: { appContract: this.deployment.application },
        ...range,
      }),
      this.clients.public.getLogs({
        address: this.deployment.application,
        event: applicationAbi.find((item) => item.type === "event" && item.name === "OutputExecuted")!,
        ...range,
      }),
    ]);
    const inputs: NewInput[] = [];
    for (const log of added) {
      const raw = log.args.input!;
      const decoded = decodeEvmAdvance(raw);
      if (
        decoded.appContract.toLowerCase() !== this.deployment.application.toLowerCase() ||
        BigInt(decoded.index) !== log.args.index
      ) {
        throw new InputError(
          `InputAdded at block ${log.blockNumber} does not describe input ${log.args.index} of ${this.deployment.application}`,
        );
      }
      const { appContract: _, ...input } = decoded;
      inputs.push({ ...input, raw, txHash: log.transactionHash! });
    }
    inputs.sort((a, b) => a.index - b.index);
    const executions = executed.map((log) => ({
      outputIndex: Number(log.args.outputIndex!),
      txHash: log.transactionHash!,
    }));
    this.store.recordScan(inputs, executions, to, this.deployment.epochLength);
    return { scannedTo: to, latest };
  }
}
