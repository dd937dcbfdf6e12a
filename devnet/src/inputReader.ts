// Follow the chain for one application: InputAdded events from the InputBox (decoded as
// EvmAdvance calls, DESIGN §6), OutputExecuted events from the Application and ClaimAccepted
// events from its Authority, from the Application's deployment block on, in bounded block
// ranges, into the store, and only from blocks at the node's confidence (`latest`, `safe` or
// `finalized`, as the real node's CARTESI_BLOCKCHAIN_DEFAULT_BLOCK).
//
// The chain may change under the node (a reorganisation, a chain restarted from an older saved
// state, a confidence level raised across a restart). Each sync checks that the last block it
// scanned still has the hash it had, and an input that does not continue the stored sequence
// is taken as the same sign; either way the sync answers with the block to roll back to: the
// newest block the node read whose hash (or, for an input recorded without one, whose
// InputBox input hash) the chain still has, found by galloping back over the recorded inputs.

import { BlockNotFoundError, keccak256 } from "viem";
import { applicationAbi, authorityAbi, inputBoxAbi } from "./abis.js";
import type { ChainClients } from "./chainClient.js";
import type { Deployment } from "./deploy.js";
import { type BlockConfidence, DEFAULT_BLOCK_CONFIDENCE } from "./defaults.js";
import { InputError } from "./errors.js";
import { decodeEvmAdvance } from "./evmAdvance.js";
import type { Hex } from "./hex.js";
import type { BlockRef, EpochRow, InputRow, NewInput, Scan, SequenceBreak, Store } from "./store.js";

/** Widest block range asked of eth_getLogs at once (public RPCs often cap it near 10,000). */
export const MAX_LOG_BLOCK_RANGE = 5_000;

/** What one sync did: scanned up to a block, or found that the node must roll back to one. */
export type SyncResult =
  | { scannedTo: number; more: boolean; accepted: EpochRow[] }
  | { rollbackTo: BlockRef | { number: number; hash: null }; reason: string };

type RollbackResult = Extract<SyncResult, { rollbackTo: unknown }>;

/** A point where the node can check the chain: the last scanned block, or a recorded input. */
type CheckPoint = { block: number; hash: Hex | null; input?: InputRow };

export class InputReader {
  constructor(
    private readonly clients: ChainClients,
    private readonly deployment: Deployment,
    private readonly store: Store,
    private readonly confidence: BlockConfidence = DEFAULT_BLOCK_CONFIDENCE,
    private readonly maxBlockRange = MAX_LOG_BLOCK_RANGE,
  ) {}

  /** The newest block at the node's confidence. */
  async head(): Promise<BlockRef> {
    const block = await this.clients.public.getBlock({ blockTag: this.confidence });
    return { number: Number(block.number), hash: block.hash.toLowerCase() as Hex };
  }

  /**
   * Does the chain at the node's confidence still have what the store read? Undefined if so;
   * otherwise the rollback to do. Run at start, where a chain restarted from an older saved
   * state shows up.
   */
  async verify(): Promise<RollbackResult | undefined> {
    const last = this.store.checkpoint();
    if (last === undefined) return undefined;
    const head = await this.head();
    if (last.number === head.number && last.hash === head.hash) return undefined;
    return this.verifyCheckpoint(last, head);
  }

  /** Read one bounded range of new blocks at the node's confidence, or find the rollback the chain calls for. */
  async sync(): Promise<SyncResult> {
    const head = await this.head();
    const last = this.store.checkpoint();
    if (last !== undefined && last.number === head.number && last.hash === head.hash)
      return { scannedTo: head.number, more: false, accepted: [] };
    const from = Math.max((last?.number ?? -1) + 1, this.deployment.deploymentBlock);
    if (from > head.number) {
      const fork = last && (await this.verifyCheckpoint(last, head));
      return fork ?? { scannedTo: from - 1, more: false, accepted: [] };
    }
    const to = Math.min(head.number, from + this.maxBlockRange - 1);
    // The hash of `to` is read before its events and the last checkpoint checked after them: a
    // change in between shows at this check or at the next sync's.
    const toHash = to === head.number ? head.hash : await this.blockHash(to);
    if (toHash === null) return { scannedTo: from - 1, more: true, accepted: [] };
    const scan = await this.readRange(from, { number: to, hash: toHash });
    const fork = last && (await this.verifyCheckpoint(last, head));
    if (fork) return fork;
    const recorded = this.store.recordScan(scan);
    if (recorded.break) return this.afterBreak(recorded.break, head);
    return { scannedTo: to, more: to < head.number, accepted: recorded.accepted };
  }

  /** The events of blocks from..to. */
  private async readRange(from: number, to: BlockRef): Promise<Scan> {
    const range = { fromBlock: BigInt(from), toBlock: BigInt(to.number) };
    const { application, authority, contracts, epochLength } = this.deployment;
    const [added, executed, accepted] = await Promise.all([
      this.clients.public.getLogs({
        address: contracts.InputBox,
        event: inputBoxAbi.find((item) => item.type === "event" && item.name === "InputAdded")!,
        args: { appContract: application },
        ...range,
      }),
      this.clients.public.getLogs({
        address: application,
        event: applicationAbi.find((item) => item.type === "event" && item.name === "OutputExecuted")!,
        ...range,
      }),
      this.clients.public.getLogs({
        address: authority,
        event: authorityAbi.find((item) => item.type === "event" && item.name === "ClaimAccepted")!,
        args: { appContract: application },
        ...range,
      }),
    ]);
    const inputs: NewInput[] = [];
    for (const log of added) {
      const raw = log.args.input!;
      const decoded = decodeEvmAdvance(raw);
      if (decoded.appContract.toLowerCase() !== application.toLowerCase() || BigInt(decoded.index) !== log.args.index) {
        throw new InputError(
          `InputAdded at block ${log.blockNumber} does not describe input ${log.args.index} of ${application}`,
        );
      }
      const { appContract: _, ...input } = decoded;
      inputs.push({ ...input, raw, txHash: log.transactionHash!, blockHash: log.blockHash! });
    }
    inputs.sort((a, b) => a.index - b.index);
    const executions = executed.map((log) => ({
      outputIndex: Number(log.args.outputIndex!),
      txHash: log.transactionHash!,
      blockNumber: Number(log.blockNumber!),
    }));
    const claims = accepted.map((log) => ({
      lastBlock: Number(log.args.lastProcessedBlockNumber!),
      outputsRoot: log.args.outputsMerkleRoot!,
      txHash: log.transactionHash!,
      blockNumber: Number(log.blockNumber!),
    }));
    return { inputs, executions, claims, scannedTo: to, epochLength };
  }

  /** Undefined if the last scanned block is still there with its hash, at or below the head; else the rollback. */
  private async verifyCheckpoint(
    last: { number: number; hash: Hex | null },
    head: BlockRef,
  ): Promise<RollbackResult | undefined> {
    if (last.number > head.number) {
      const reason = `the chain's ${this.confidence} block is ${head.number}, below block ${last.number} the node read`;
      return this.rollbackBelow(head.number, reason);
    }
    if (last.hash === null) return undefined; // not known (a store from before hashes were kept)
    const hash = await this.blockHash(last.number);
    if (hash === last.hash) return undefined;
    return this.rollbackBelow(head.number, `block ${last.number} is no longer the one the node read`);
  }

  /** An input that does not continue the sequence: roll back below it (a conflict) or read again from below the last stored input (a gap). */
  private async afterBreak(broken: SequenceBreak, head: BlockRef): Promise<RollbackResult> {
    const stored = this.store.getInput(broken.conflict ? broken.index : broken.expected - 1);
    const below = stored === undefined ? this.deployment.deploymentBlock - 1 : stored.blockNumber - 1;
    const reason = broken.conflict
      ? `the chain's input ${broken.index} is not the one the node read`
      : `input ${broken.index} arrived while ${broken.expected} was expected next`;
    return this.rollbackBelow(Math.min(head.number, below), reason);
  }

  /** The rollback to the newest point at or below `maxBlock` that the chain still has. */
  private async rollbackBelow(maxBlock: number, reason: string): Promise<RollbackResult> {
    const points = this.checkPoints(maxBlock);
    // Points go newest first, and once one is canonical every older one is: gallop back, then bisect.
    let bad = -1;
    let good: number | undefined;
    for (let step = 1, k = 0; ; k = bad + step, step *= 2) {
      const point = points.at(k);
      if (point === undefined) break;
      if (await this.isCanonical(point)) {
        good = k;
        break;
      }
      bad = k;
    }
    if (good === undefined) good = points.count;
    while (good - bad > 1) {
      const mid = Math.floor((bad + good) / 2);
      if (await this.isCanonical(points.at(mid)!)) good = mid;
      else bad = mid;
    }
    const point = points.at(good);
    if (point === undefined) return { rollbackTo: { number: this.deployment.deploymentBlock - 1, hash: null }, reason };
    return { rollbackTo: { number: point.block, hash: point.hash ?? (await this.blockHash(point.block)) }, reason };
  }

  /** The points to check, newest first: the last scanned block if at or below `maxBlock`, then every stored input at or below it. */
  private checkPoints(maxBlock: number): { at(k: number): CheckPoint | undefined; count: number } {
    const last = this.store.checkpoint();
    const head: CheckPoint[] =
      last && last.number <= maxBlock && last.hash !== null ? [{ block: last.number, hash: last.hash }] : [];
    const inputs = (this.store.inputAtOrBelow(maxBlock, 0)?.index ?? -1) + 1;
    return {
      count: head.length + inputs,
      at: (k) => {
        if (k < head.length) return head[k];
        const input = this.store.inputAtOrBelow(maxBlock, k - head.length);
        return input && { block: input.blockNumber, hash: input.blockHash, input };
      },
    };
  }

  private async isCanonical(point: CheckPoint): Promise<boolean> {
    if (point.hash !== null) return (await this.blockHash(point.block)) === point.hash;
    const { application, contracts } = this.deployment;
    const input = point.input!;
    const count = await this.clients.public.readContract({
      address: contracts.InputBox,
      abi: inputBoxAbi,
      functionName: "getNumberOfInputs",
      args: [application],
    });
    if (count <= BigInt(input.index)) return false;
    const hash = await this.clients.public.readContract({
      address: contracts.InputBox,
      abi: inputBoxAbi,
      functionName: "getInputHash",
      args: [application, BigInt(input.index)],
    });
    return hash === keccak256(input.raw);
  }

  /** The hash of block `number`, lowercase; null if the chain has no such block. */
  /** Whether the last block the node scanned still has the hash it read (no reorganisation since). */
  async checkpointCanonical(): Promise<boolean> {
    const last = this.store.checkpoint();
    return last === undefined || last.hash === null || (await this.blockHash(last.number)) === last.hash;
  }

  private async blockHash(number: number): Promise<Hex | null> {
    try {
      return (await this.clients.public.getBlock({ blockNumber: BigInt(number) })).hash.toLowerCase() as Hex;
    } catch (err) {
      if (err instanceof BlockNotFoundError) return null;
      throw err;
    }
  }
}
