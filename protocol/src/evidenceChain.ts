// What the evidence verifier reads from the chain, as a small injected interface, and its
// implementation over a viem PublicClient (viemEvidenceChain). Everything the verifier
// trusts comes through here: the chain id, the inputs the InputBox logged, LcoreSettlement's
// code and storage, and the settlement transactions' receipts. A buyer may pass its own
// implementation (its own node, a light client, a cache).
//
// viem only: it runs in Node and in a browser.

import { inputBoxAbi, inputsAbi, lcoreSettlementAbi } from "@lcore/contracts";
import { type Hex, type PublicClient, decodeEventLog, decodeFunctionData } from "viem";
import { fromHex, toHex } from "./bytes.js";

/** The canonical v2.2.0 InputBox (DESIGN §6). */
export const CANONICAL_INPUT_BOX = "0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac";

/** An input as the InputBox logged it, its EvmAdvance decoded. */
export interface ChainInput {
  index: bigint;
  chainId: bigint;
  app: Uint8Array;
  msgSender: Uint8Array;
  blockNumber: bigint;
  blockTimestamp: bigint;
  payload: Uint8Array;
}

/** LcoreSettlement.settlement(period); recordCount 0 when the period is not settled. */
export interface ChainSettlement {
  recordsRoot: Uint8Array;
  recordCount: bigint;
  stateHash: Uint8Array;
  devicesRoot: Uint8Array;
  deviceCount: bigint;
}

/** A settlement transaction: who it called and the periods LcoreSettlement logged settled in it. */
export interface ChainSettlementTx {
  success: boolean;
  to: Uint8Array | null;
  /** PeriodSettled events, by the address that emitted them. */
  settled: { emitter: Uint8Array; period: bigint }[];
}

export interface EvidenceChain {
  chainId(): Promise<bigint>;
  /** The app's inputs with these indices, read from InputAdded logs in blocks from..to; absent ones are left out. */
  inputs(app: Uint8Array, indices: readonly bigint[], fromBlock: bigint, toBlock: bigint): Promise<ChainInput[]>;
  /** Whether code is deployed at the address. */
  hasCode(address: Uint8Array): Promise<boolean>;
  /** LcoreSettlement.application() at the address. */
  settlementApplication(settlement: Uint8Array): Promise<Uint8Array>;
  settlement(settlement: Uint8Array, period: bigint): Promise<ChainSettlement>;
  /** null when the chain has no such transaction. */
  settlementTx(hash: Uint8Array): Promise<ChainSettlementTx | null>;
}

/** Indices per log query: an OR over indexed topics. */
const INDICES_PER_QUERY = 200;

export interface ViemEvidenceChainOptions {
  inputBox?: Hex;
}

export function viemEvidenceChain(client: PublicClient, options: ViemEvidenceChainOptions = {}): EvidenceChain {
  const inputBox = options.inputBox ?? CANONICAL_INPUT_BOX;
  return {
    async chainId() {
      return BigInt(await client.getChainId());
    },
    async inputs(app, indices, fromBlock, toBlock) {
      const out: ChainInput[] = [];
      for (let i = 0; i < indices.length; i += INDICES_PER_QUERY) {
        const logs = await client.getLogs({
          address: inputBox,
          event: inputAddedEvent,
          args: { appContract: toHex(app), index: indices.slice(i, i + INDICES_PER_QUERY) },
          fromBlock,
          toBlock,
          strict: true,
        });
        for (const log of logs) out.push(decodeEvmAdvance(log.args.input));
      }
      return out;
    },
    async hasCode(address) {
      const code = await client.getCode({ address: toHex(address) });
      return code !== undefined && code !== "0x";
    },
    async settlementApplication(settlement) {
      return fromHex(
        await client.readContract({ address: toHex(settlement), abi: lcoreSettlementAbi, functionName: "application" }),
      );
    },
    async settlement(settlement, period) {
      const s = await client.readContract({
        address: toHex(settlement),
        abi: lcoreSettlementAbi,
        functionName: "settlement",
        args: [period],
      });
      return {
        recordsRoot: fromHex(s.recordsRoot),
        recordCount: s.recordCount,
        stateHash: fromHex(s.stateHash),
        devicesRoot: fromHex(s.devicesRoot),
        deviceCount: s.deviceCount,
      };
    },
    async settlementTx(hash) {
      let receipt: Awaited<ReturnType<PublicClient["getTransactionReceipt"]>>;
      try {
        receipt = await client.getTransactionReceipt({ hash: toHex(hash) });
      } catch (e) {
        if ((e as Error).name === "TransactionReceiptNotFoundError") return null;
        throw e;
      }
      const settled: ChainSettlementTx["settled"] = [];
      for (const log of receipt.logs) {
        try {
          const ev = decodeEventLog({ abi: lcoreSettlementAbi, data: log.data, topics: log.topics });
          if (ev.eventName === "PeriodSettled") settled.push({ emitter: fromHex(log.address), period: ev.args.period });
        } catch {
          // another contract's event (the Application's OutputExecuted, ...)
        }
      }
      return { success: receipt.status === "success", to: receipt.to === null ? null : fromHex(receipt.to), settled };
    },
  };
}

const inputAddedEvent = inputBoxAbi.find(
  (x): x is Extract<(typeof inputBoxAbi)[number], { type: "event"; name: "InputAdded" }> =>
    x.type === "event" && x.name === "InputAdded",
)!;

/** InputAdded's `input`: abi.encodeCall(EvmAdvance, (...)) (DESIGN §6). */
export function decodeEvmAdvance(input: Hex): ChainInput {
  const { functionName, args } = decodeFunctionData({ abi: inputsAbi, data: input });
  if (functionName !== "EvmAdvance") throw new Error(`not an EvmAdvance input: ${functionName}`);
  const [chainId, app, msgSender, blockNumber, blockTimestamp, , index, payload] = args;
  return {
    index,
    chainId,
    app: fromHex(app),
    msgSender: fromHex(msgSender),
    blockNumber,
    blockTimestamp,
    payload: fromHex(payload),
  };
}
