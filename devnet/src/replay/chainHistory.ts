// What the chain says about one application: its inputs (InputAdded, decoded as EvmAdvance)
// and the claims its outputs-Merkle-root validator accepted, read in bounded block ranges.

import { type Address, createPublicClient, decodeFunctionData, http, type PublicClient } from "viem";
import { applicationAbi, authorityAbi, dataAvailabilityAbi, inputBoxAbi } from "../abis.js";
import { InputError } from "../errors.js";
import type { Hex } from "../hex.js";
import { decodeEvmAdvance } from "../evmAdvance.js";
import { MAX_LOG_BLOCK_RANGE } from "../inputReader.js";

export interface ChainInput {
  index: number;
  chainId: number;
  msgSender: Hex;
  blockNumber: number;
  blockTimestamp: number;
  prevRandao: Hex;
  payload: Hex;
}

export interface AcceptedClaim {
  lastProcessedBlockNumber: number;
  outputsMerkleRoot: Hex;
}

export interface ChainHistory {
  inputBox: Address;
  validator: Address;
  fromBlock: number;
  latestBlock: number;
  inputs: ChainInput[];
  claims: AcceptedClaim[];
}

export async function readChainHistory(
  rpcUrl: string,
  application: Address,
  fromBlock?: number,
): Promise<ChainHistory> {
  const client: PublicClient = createPublicClient({ transport: http(rpcUrl) });
  const [deployBlock, availability, validator, latest] = await Promise.all([
    client.readContract({ address: application, abi: applicationAbi, functionName: "getDeploymentBlockNumber" }),
    client.readContract({ address: application, abi: applicationAbi, functionName: "getDataAvailability" }),
    client.readContract({ address: application, abi: applicationAbi, functionName: "getOutputsMerkleRootValidator" }),
    client.getBlockNumber(),
  ]);
  const da = decodeFunctionData({ abi: dataAvailabilityAbi, data: availability });
  const inputBox = da.args[0];
  const start = fromBlock ?? Number(deployBlock);
  const latestBlock = Number(latest);
  const inputs: ChainInput[] = [];
  const claims: AcceptedClaim[] = [];
  const addedEvent = inputBoxAbi.find((item) => item.type === "event" && item.name === "InputAdded")!;
  const acceptedEvent = authorityAbi.find((item) => item.type === "event" && item.name === "ClaimAccepted")!;
  for (let from = start; from <= latestBlock; from += MAX_LOG_BLOCK_RANGE) {
    const range = { fromBlock: BigInt(from), toBlock: BigInt(Math.min(latestBlock, from + MAX_LOG_BLOCK_RANGE - 1)) };
    const [added, accepted] = await Promise.all([
      client.getLogs({ address: inputBox, event: addedEvent, args: { appContract: application }, ...range }),
      client.getLogs({ address: validator, event: acceptedEvent, args: { appContract: application }, ...range }),
    ]);
    for (const log of added) {
      const { appContract, ...input } = decodeEvmAdvance(log.args.input!);
      if (appContract.toLowerCase() !== application.toLowerCase() || BigInt(input.index) !== log.args.index) {
        throw new InputError(
          `InputAdded at block ${log.blockNumber} does not describe input ${log.args.index} of ${application}`,
        );
      }
      inputs.push(input);
    }
    for (const log of accepted) {
      claims.push({
        lastProcessedBlockNumber: Number(log.args.lastProcessedBlockNumber!),
        outputsMerkleRoot: log.args.outputsMerkleRoot!,
      });
    }
  }
  inputs.sort((a, b) => a.index - b.index);
  inputs.forEach((input, k) => {
    if (fromBlock === undefined && input.index !== k)
      throw new InputError(`input ${k} is missing from the chain's InputAdded events`);
  });
  claims.sort((a, b) => a.lastProcessedBlockNumber - b.lastProcessedBlockNumber);
  return { inputBox, validator, fromBlock: start, latestBlock, inputs, claims };
}
