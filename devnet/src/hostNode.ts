// The host-mode rollups node: reads the application's inputs from the chain, feeds them to the
// dApp strictly in order over the rollup HTTP API, records results, keeps the outputs Merkle
// tree, seals each epoch (its claim and every output's proof) and submits claims.
//
// At start it rebuilds the tree from the store and replays every processed input to the fresh
// dApp, checking that the dApp produces the same status and outputs as recorded: host mode
// keeps the dApp's state in the dApp's memory only, so replay is how it survives a restart.

import { BaseError } from "viem";
import type { ChainClients } from "./chainClient.js";
import { Claimer } from "./claimer.js";
import type { Deployment } from "./deploy.js";
import { ChainError, DivergenceError, StateMismatchError } from "./errors.js";
import { type Hex, bytesToHex } from "./hex.js";
import { InputReader } from "./inputReader.js";
import { OutputsMerkleTree, outputLeaf } from "./merkleTree.js";
import type { AdvanceMetadata, RollupHttpServer } from "./rollupHttpServer.js";
import type { InputRow, Store } from "./store.js";

/** The answer of POST /inspect/{application}, as the real node's inspect service shapes it. */
export interface InspectResponse {
  status: "Accepted" | "Rejected" | "Exception";
  exception?: string;
  reports: { payload: Hex }[] | null;
  processed_input_count: number;
}

export interface HostNodeOptions {
  clients: ChainClients;
  deployment: Deployment;
  store: Store;
  rollup: RollupHttpServer;
  /** Pause between chain polls when idle. Default 250 ms. */
  pollIntervalMs?: number;
  log?: (message: string) => void;
  /** Called once if the node stops on an error it cannot recover from. */
  onFatal?: (error: Error) => void;
}

/** Inputs processed per loop turn before the node looks at the chain and its claims again. */
const MAX_INPUTS_PER_TURN = 100;
/** Longest pause after repeated transient errors (the chain unreachable, say). */
const MAX_BACKOFF_MS = 5_000;

export class HostNode {
  private readonly tree = new OutputsMerkleTree();
  private readonly reader: InputReader;
  private readonly claimer: Claimer;
  private readonly log: (message: string) => void;
  private processed = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: HostNodeOptions) {
    this.log = opts.log ?? (() => {});
    this.reader = new InputReader(opts.clients, opts.deployment, opts.store);
    this.claimer = new Claimer(opts.clients, opts.deployment, opts.store, this.log);
  }

  /** Number of inputs the dApp has processed (its state reflects exactly these). */
  get processedInputCount(): number {
    return this.processed;
  }

  /** Rebuild, replay, then run the loop in the background. Resolves when the dApp is up to date. */
  async start(): Promise<void> {
    const { store } = this.opts;
    await this.reader.checkChainHasStoredInputs();
    for (const hash of store.outputHashes()) this.tree.append(hash);
    await this.replay();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  async inspect(payload: Hex): Promise<InspectResponse> {
    const result = await this.opts.rollup.inspect(payload);
    const response: InspectResponse = {
      status: result.status === "ACCEPTED" ? "Accepted" : result.status === "REJECTED" ? "Rejected" : "Exception",
      // The real service answers null, not [], when there are no reports (a nil Go slice).
      reports: result.reports.length ? result.reports.map((p) => ({ payload: p })) : null,
      processed_input_count: this.processed,
    };
    if (result.exception !== undefined) response.exception = result.exception;
    return response;
  }

  private metadata(input: InputRow): AdvanceMetadata {
    return {
      chain_id: input.chainId,
      app_contract: this.opts.deployment.application,
      msg_sender: input.msgSender,
      block_number: input.blockNumber,
      block_timestamp: input.blockTimestamp,
      prev_randao: input.prevRandao,
      input_index: input.index,
    };
  }

  private async replay(): Promise<void> {
    const { store, rollup } = this.opts;
    const total = store.processedInputCount();
    if (total > 0) this.log(`replaying ${total} processed inputs to rebuild the dApp's state`);
    for (const input of store.processedInputs()) {
      const result = await rollup.advance(this.metadata(input), input.payload);
      if (result.status !== input.status) {
        throw new DivergenceError(input.index, `status ${result.status}, recorded ${input.status}`);
      }
      const recorded = store.outputsOfInput(input.index).map((o) => o.raw);
      if (result.outputs.length !== recorded.length) {
        throw new DivergenceError(input.index, `${result.outputs.length} outputs, recorded ${recorded.length}`);
      }
      result.outputs.forEach((output, k) => {
        if (output !== recorded[k])
          throw new DivergenceError(input.index, `output ${k} of the input is ${output}, recorded ${recorded[k]}`);
      });
      this.processed = input.index + 1;
    }
    if (total > 0) this.log(`replay done: the dApp is at input ${total}`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let busy = false;
      try {
        busy = await this.turn();
        failures = 0;
      } catch (err) {
        if (this.stopping) break;
        // Only the chain's errors (viem's, or ours about a transaction) are worth a retry. Anything
        // else may strike between an advance and its record, and retrying would feed the dApp
        // the same input twice.
        if (!(err instanceof ChainError || err instanceof BaseError)) {
          this.log(`node stopped: ${(err as Error).message}`);
          this.opts.onFatal?.(err as Error);
          return;
        }
        failures++;
        this.log(`node: ${(err as Error).message.split("\n")[0]} (retrying)`);
      }
      if (this.stopping) break;
      const pause =
        failures > 0 ? Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures) : busy ? 0 : (this.opts.pollIntervalMs ?? 250);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One pass: read the chain, process inputs, seal epochs, submit claims. Returns true if there is more to do now. */
  private async turn(): Promise<boolean> {
    const { store } = this.opts;
    const { scannedTo, latest } = await this.reader.sync();
    let processedNow = 0;
    for (; processedNow < MAX_INPUTS_PER_TURN && !this.stopping; processedNow++) {
      const input = store.nextUnprocessedInput();
      if (!input) break;
      this.seal(input.epochIndex - 1, scannedTo);
      await this.process(input);
    }
    this.seal(Number.POSITIVE_INFINITY, scannedTo);
    await this.claimer.submitPending();
    return processedNow === MAX_INPUTS_PER_TURN || scannedTo < latest;
  }

  private async process(input: InputRow): Promise<void> {
    const result = await this.opts.rollup.advance(this.metadata(input), input.payload);
    const leaves = result.outputs.map(outputLeaf);
    for (const leaf of leaves) this.tree.append(leaf);
    const hashes = leaves.map(bytesToHex);
    const record = {
      status: result.status,
      outputs: result.outputs,
      hashes,
      reports: result.reports,
      outputsHash: this.tree.root(),
    };
    this.opts.store.recordResult(
      input,
      result.exception === undefined ? record : { ...record, exception: result.exception },
    );
    this.processed = input.index + 1;
  }

  /**
   * Seal every epoch up to `maxEpoch` that is over: its last block has been read (no more
   * inputs can join it) and all its inputs are processed. Epochs are sealed in order before any
   * later input is processed, so the tree holds exactly the outputs up to the epoch's end.
   */
  private seal(maxEpoch: number, scannedTo: number): void {
    const { store } = this.opts;
    for (const epoch of store.unfinishedEpochs()) {
      if (epoch.status !== "OPEN" && epoch.status !== "CLOSED") continue;
      if (epoch.index > maxEpoch || epoch.lastBlock > scannedTo) break;
      if (this.processed < epoch.inputUpper) {
        if (epoch.status === "OPEN") store.setEpochStatus(epoch.index, "CLOSED");
        break;
      }
      if (this.processed > epoch.inputUpper) {
        throw new StateMismatchError(
          `epoch ${epoch.index} was not sealed before input ${epoch.inputUpper} was processed`,
        );
      }
      const siblings = new Map<number, Hex[]>();
      for (const outputIndex of store.outputIndicesOfEpoch(epoch.index))
        siblings.set(outputIndex, this.tree.siblings(outputIndex));
      store.sealEpoch(epoch.index, this.tree.root(), siblings);
    }
  }
}
