// The host-mode rollups node: reads the application's inputs from the chain, feeds them to the
// dApp strictly in order over the rollup HTTP API, records results, keeps the outputs Merkle
// tree, seals each epoch (its claim and every output's proof) and submits claims.
//
// At start it rebuilds the tree from the store and replays every processed input to the fresh
// dApp, checking that the dApp produces the same status and outputs as recorded: host mode
// keeps the dApp's state in the dApp's memory only, so replay is how it survives a restart.
//
// It reads the chain at a confidence level (inputReader.ts). When the chain changed under it (a
// reorganisation, a chain restarted from an older saved state), it rolls back to the common
// prefix: the store forgets what came from the dropped blocks, the tree is rebuilt, and if the
// dApp had processed a dropped input, the dApp is restarted (through `dapp`) and the remaining
// processed inputs replayed to it; then the new canonical inputs are processed. Claims go out
// only for epochs the node sealed, i.e. whose blocks it read at its confidence.

import { BaseError } from "viem";
import type { ChainClients } from "./chainClient.js";
import { Claimer } from "./claimer.js";
import type { Deployment } from "./deploy.js";
import { ChainError, DivergenceError, StateMismatchError } from "./errors.js";
import { type Hex, bytesToHex } from "./hex.js";
import type { BlockConfidence } from "./defaults.js";
import { InputReader, type SyncResult } from "./inputReader.js";
import { OutputsMerkleTree, outputLeaf } from "./merkleTree.js";
import type { AdvanceMetadata, RollupHttpServer } from "./rollupHttpServer.js";
import type { EpochRow, InputRow, Store } from "./store.js";

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
  /** Blocks the node reads inputs, executions and accepted claims from. Default "finalized". */
  blockConfidence?: BlockConfidence;
  /**
   * The dApp process, when the node may restart it: a rollback that removes inputs the dApp
   * processed needs a dApp with a fresh state. Without it (a dApp started elsewhere) such a
   * rollback stops the node.
   */
  dapp?: { stop(): Promise<void>; start(): void };
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

/** What an inspect in flight gets when the dApp is restarted under it; HostNode.inspect asks again. */
class DappRestarted extends Error {}

export class HostNode {
  private tree = new OutputsMerkleTree();
  private readonly reader: InputReader;
  private readonly claimer: Claimer;
  private readonly log: (message: string) => void;
  private processed = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Settles when the dApp is up to date again after a restart; inspects wait for it. */
  private dappReady: Promise<void> = Promise.resolve();

  constructor(private readonly opts: HostNodeOptions) {
    this.log = opts.log ?? (() => {});
    this.reader = new InputReader(opts.clients, opts.deployment, opts.store, opts.blockConfidence);
    this.claimer = new Claimer(opts.clients, opts.deployment, opts.store, this.log, () =>
      this.reader.checkpointCanonical(),
    );
  }

  /** Number of inputs the dApp has processed (its state reflects exactly these). */
  get processedInputCount(): number {
    return this.processed;
  }

  /** Rebuild, replay, then run the loop in the background. Resolves when the dApp is up to date. */
  async start(): Promise<void> {
    // A chain restarted from an older saved state, or read now at a higher confidence: resume
    // from what it still has. The dApp is fresh, so only the store goes back.
    const fork = await this.reader.verify();
    if (fork) this.rollbackStore(fork);
    for (const hash of this.opts.store.outputHashes()) this.tree.append(hash);
    await this.replay();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  async inspect(payload: Hex): Promise<InspectResponse> {
    let result: Awaited<ReturnType<RollupHttpServer["inspect"]>>;
    for (;;) {
      await this.dappReady;
      try {
        result = await this.opts.rollup.inspect(payload);
        break;
      } catch (err) {
        if (!(err instanceof DappRestarted)) throw err;
      }
    }
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
    }
    // Processed inputs are dense from 0: the dApp is at input `total` (inspects wait for this).
    this.processed = total;
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
    const sync = await this.reader.sync();
    if ("rollbackTo" in sync) {
      await this.rollback(sync);
      return true;
    }
    this.logAccepted(sync.accepted);
    const { scannedTo } = sync;
    let processedNow = 0;
    for (; processedNow < MAX_INPUTS_PER_TURN && !this.stopping; processedNow++) {
      const input = store.nextUnprocessedInput();
      if (!input) break;
      this.seal(input.epochIndex - 1, scannedTo);
      await this.process(input);
    }
    this.seal(Number.POSITIVE_INFINITY, scannedTo);
    await this.claimer.submitPending();
    return processedNow === MAX_INPUTS_PER_TURN || sync.more;
  }

  /**
   * Go back to the common prefix with the chain: the store, the tree and, if it processed an
   * input that is gone, the dApp (restarted, the remaining inputs replayed to it).
   */
  private async rollback(fork: Extract<SyncResult, { rollbackTo: unknown }>): Promise<void> {
    const { store } = this.opts;
    const block = fork.rollbackTo.number;
    const restart = store.processedInputCountAfter(block) > 0;
    if (restart && !this.opts.dapp) {
      throw new StateMismatchError(
        `${fork.reason}: processed inputs from block ${block + 1} on are gone, and the dApp, started elsewhere, cannot be reset by this node. Restart the dApp, then the devnet: it resumes from the chain's common prefix.`,
      );
    }
    const removed = this.rollbackStore(fork);
    this.processed = store.processedInputCount();
    if (removed.outputsFrom < this.tree.size) {
      this.tree = new OutputsMerkleTree();
      for (const hash of store.outputHashes()) this.tree.append(hash);
    }
    if (!restart) return;
    let ready = () => {};
    this.dappReady = new Promise<void>((resolve) => (ready = resolve));
    try {
      await this.opts.dapp!.stop();
      this.opts.rollup.reset(new DappRestarted("the dApp was restarted"));
      this.opts.dapp!.start();
      this.log(`restarted the dApp to take back ${removed.processedRemoved} processed inputs`);
      await this.replay();
    } finally {
      ready();
    }
  }

  /** Roll the store back; returns what went. */
  private rollbackStore(fork: Extract<SyncResult, { rollbackTo: unknown }>) {
    const { number, hash } = fork.rollbackTo;
    const removed = this.opts.store.rollback(number, hash);
    this.log(
      `${fork.reason}: rolled back to block ${number} (inputs from ${removed.inputsFrom}, outputs from ${removed.outputsFrom} removed); reading the chain again from block ${number + 1}`,
    );
    return removed;
  }

  private logAccepted(epochs: EpochRow[]): void {
    for (const epoch of epochs) {
      this.log(
        `epoch ${epoch.index} (blocks ${epoch.firstBlock}-${epoch.lastBlock}, inputs ${epoch.inputLower}-${epoch.inputUpper - 1}): claim ${epoch.outputsRoot} accepted`,
      );
    }
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
      this.logAccepted(store.markAccepted());
    }
  }
}
