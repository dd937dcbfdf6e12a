// Replay an application's inputs from the chain through a fresh dApp in host mode, recompute
// every output and the outputs Merkle root, and compare with the claims accepted on chain, with
// a node's outputs and the claims it lists as accepted, and with a shadow dApp build run side
// by side. What a dApp's outputs must
// say beyond that (lcore's state hashes) its caller checks through `checks` (checks.ts).

import type { Address } from "viem";
import type { Hex } from "../hex.js";
import { OutputsMerkleTree, outputLeaf } from "../merkleTree.js";
import type { AdvanceResult } from "../rollupHttpServer.js";
import { type ChainHistory, type ChainInput, readChainHistory } from "./chainHistory.js";
import type { ReplayCheckResult, ReplayChecks, ReplayedDapp } from "./checks.js";
import { startDappRunner, type DappRunner } from "./dappRunner.js";
import { compareResults, type Divergence } from "./divergence.js";
import { type NodeAcceptedEpoch, readNodeAcceptedEpochs, readNodeOutputs } from "./nodeOutputs.js";
import { Progress } from "./progress.js";

export interface ReplayOptions {
  rpcUrl: string;
  application: Address;
  dapp: string[];
  shadow?: string[] | undefined;
  nodeUrl?: string | undefined;
  fromBlock?: number | undefined;
  cwd?: string | undefined;
  /** Progress lines, one per tenth of the inputs; pass () => {} to silence. By default stderr, a bar redrawn in place on a terminal. */
  progress?: ((line: string) => void) | undefined;
  /** The dApp's own checks of each input's outputs, on the replayed dApp and the shadow. */
  checks?: ReplayChecks | undefined;
  /** Inputs and claims already read (a benchmark's chain built in memory): then `rpcUrl` is not read. */
  history?: ChainHistory | undefined;
}

export interface ReplayReport {
  inputs: number;
  outputs: number;
  claimsChecked: number;
  nodeOutputsChecked: number;
  /** Epochs the node lists as accepted whose claim was looked for among the chain's ClaimAccepted events. */
  nodeClaimsChecked: number;
  /** The checks' counters, added up over the replayed dApp's inputs ({} without checks). */
  counts: Record<string, number>;
  /** Against the chain, the node and the checks: only the first; against the shadow: every one. */
  divergences: Divergence[];
  shadowDivergences: Divergence[];
  seconds: number;
  /** Seconds spent replaying the inputs, after the chain was read. */
  replaySeconds: number;
  inputsPerSecond: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayReport> {
  const started = Date.now();
  // The node's accepted epochs before the chain: whatever the node counted accepted by then, the
  // chain read after it must have.
  const nodeEpochs = opts.nodeUrl ? await readNodeAcceptedEpochs(opts.nodeUrl, opts.application) : undefined;
  const history = opts.history ?? (await readChainHistory(opts.rpcUrl, opts.application, opts.fromBlock));
  const nodeOutputs = opts.nodeUrl ? await readNodeOutputs(opts.nodeUrl, opts.application) : undefined;
  const run = new ReplayRun(opts, history, nodeOutputs, nodeEpochs);
  try {
    await run.startDapps();
    for (const input of history.inputs) {
      if (!(await run.replayInput(input))) break;
    }
    run.finish();
  } finally {
    await run.stop();
  }
  return run.report((Date.now() - started) / 1000);
}

/** One dApp of the run with its runner. */
interface RunDapp extends ReplayedDapp {
  runner: DappRunner;
}

/** One replay in progress: the dApps, the recomputed outputs tree and what was found so far. */
class ReplayRun {
  private readonly dapps: RunDapp[] = [];
  private readonly tree = new OutputsMerkleTree();
  private readonly divergences: Divergence[] = [];
  private readonly shadowDivergences: Divergence[] = [];
  private readonly counts: Record<string, number> = {};
  private readonly progress: Progress;
  private claimsChecked = 0;
  private nodeOutputsChecked = 0;
  private nodeClaimsChecked = 0;
  private nextClaim = 0;
  private done = 0;

  constructor(
    private readonly opts: ReplayOptions,
    private readonly history: ChainHistory,
    private readonly nodeOutputs: Map<number, { inputIndex: number; raw: Hex }> | undefined,
    private readonly nodeEpochs: NodeAcceptedEpoch[] | undefined,
  ) {
    const unit = opts.checks?.rateOf ?? "inputs";
    this.progress = opts.progress
      ? new Progress(history.inputs.length, opts.progress, false, unit)
      : new Progress(history.inputs.length, undefined, process.stderr.isTTY === true, unit);
  }

  async startDapps(): Promise<void> {
    const start = async (role: RunDapp["role"], command: string[]) => {
      const runner = await startDappRunner(command, this.opts.application, this.opts.cwd);
      this.dapps.push({ role, runner, inspect: (payload) => runner.inspect(payload) });
    };
    await start("dapp", this.opts.dapp);
    if (this.opts.shadow) await start("shadow", this.opts.shadow);
    await Promise.all(this.dapps.map((d) => this.opts.checks?.start?.(d)));
  }

  /** Replay one input on every dApp and compare; false once the replay should stop. */
  async replayInput(input: ChainInput): Promise<boolean> {
    this.checkClaimsBefore(input.blockNumber);
    if (this.stopped()) return false;
    const first = this.tree.size;
    const [main, shadow] = await Promise.all(this.dapps.map((d) => this.advance(d, input, first)));
    for (const [name, n] of Object.entries(main!.checked.counts ?? {}))
      this.counts[name] = (this.counts[name] ?? 0) + n;
    if (shadow) {
      this.shadowDivergences.push(
        ...compareResults(input.index, first, main!.result, shadow.result),
        ...(shadow.checked.divergences ?? []),
      );
    }
    this.appendOutputs(input.index, first, main!.result.outputs);
    const checkDivergence = main!.checked.divergences?.[0];
    if (this.divergences.length === 0 && checkDivergence) this.divergences.push(checkDivergence);
    this.done++;
    this.progress.tick(
      this.done,
      this.opts.checks?.rateOf === undefined ? this.done : (this.counts[this.opts.checks.rateOf] ?? 0),
    );
    return !this.stopped();
  }

  /** After the last input: the claims past it, and outputs the node has that the replay did not produce. */
  finish(): void {
    if (this.divergences.length > 0) return;
    this.checkClaimsBefore(Number.POSITIVE_INFINITY);
    this.checkNodeClaims();
    if (this.divergences.length > 0) return;
    const missing = this.tree.size;
    const extra = this.nodeOutputs?.get(missing);
    if (this.nodeOutputs && this.nodeOutputs.size > missing && extra) {
      this.divergences.push({
        inputIndex: extra.inputIndex,
        outputIndex: missing,
        what: "output the node has and the replay did not produce",
        expected: extra.raw,
        got: "(none)",
      });
    }
  }

  async stop(): Promise<void> {
    this.progress.end();
    await Promise.all(this.dapps.map((d) => d.runner.stop()));
  }

  report(seconds: number): ReplayReport {
    const replaySeconds = this.progress.seconds();
    return {
      inputs: this.done,
      outputs: this.tree.size,
      claimsChecked: this.claimsChecked,
      nodeOutputsChecked: this.nodeOutputsChecked,
      nodeClaimsChecked: this.nodeClaimsChecked,
      counts: this.counts,
      divergences: this.divergences,
      shadowDivergences: this.shadowDivergences,
      seconds,
      replaySeconds,
      inputsPerSecond: replaySeconds > 0 ? this.done / replaySeconds : 0,
    };
  }

  /** A divergence against the chain stops the replay, unless a shadow is compared to the end. */
  private stopped(): boolean {
    return this.divergences.length > 0 && !this.opts.shadow;
  }

  private async advance(
    dapp: RunDapp,
    input: ChainInput,
    firstOutput: number,
  ): Promise<{ result: AdvanceResult; checked: ReplayCheckResult }> {
    const result = await dapp.runner.advance(input);
    const checked = this.opts.checks
      ? await this.opts.checks.onInput(dapp, { index: input.index, firstOutput, result })
      : {};
    return { result, checked };
  }

  /** Every claim whose last block precedes `block` covers exactly the outputs in the tree now. */
  private checkClaimsBefore(block: number): void {
    const { claims, inputs } = this.history;
    while (this.nextClaim < claims.length && claims[this.nextClaim]!.lastProcessedBlockNumber < block) {
      const claim = claims[this.nextClaim++]!;
      this.claimsChecked++;
      const root = this.tree.root();
      if (root !== claim.outputsMerkleRoot && this.divergences.length === 0) {
        this.divergences.push({
          inputIndex: inputs.filter((i) => i.blockNumber <= claim.lastProcessedBlockNumber).at(-1)?.index ?? -1,
          outputIndex: this.tree.size - 1,
          what: `outputs Merkle root of the claim accepted for blocks up to ${claim.lastProcessedBlockNumber}`,
          expected: claim.outputsMerkleRoot,
          got: root,
        });
      }
    }
  }

  /** Every epoch the node lists as accepted must have its ClaimAccepted on chain, with its root. */
  private checkNodeClaims(): void {
    if (!this.nodeEpochs) return;
    const onChain = new Map(this.history.claims.map((c) => [c.lastProcessedBlockNumber, c.outputsMerkleRoot]));
    const missing = this.nodeEpochs.filter(
      (e) => onChain.get(e.lastBlock)?.toLowerCase() !== e.outputsRoot?.toLowerCase(),
    );
    this.nodeClaimsChecked = this.nodeEpochs.length;
    const first = missing[0];
    if (!first) return;
    const others =
      missing.length > 1 ? ` (${missing.length} such epochs: ${missing.map((e) => e.index).join(", ")})` : "";
    this.divergences.push({
      inputIndex: first.inputUpper - 1,
      epochIndex: first.index,
      what: `claim of blocks ${first.firstBlock}-${first.lastBlock}, accepted on the node, vs the chain's ClaimAccepted events${others}`,
      expected: first.outputsRoot,
      got: onChain.get(first.lastBlock) ?? "(none)",
    });
  }

  /** Add the replayed dApp's outputs to the tree, each compared with the node's output of that index. */
  private appendOutputs(inputIndex: number, first: number, outputs: Hex[]): void {
    outputs.forEach((output, k) => {
      this.tree.append(outputLeaf(output));
      if (!this.nodeOutputs) return;
      const recorded = this.nodeOutputs.get(first + k);
      this.nodeOutputsChecked++;
      if (recorded?.raw !== output && this.divergences.length === 0) {
        this.divergences.push({
          inputIndex,
          outputIndex: first + k,
          what: "output bytes (node's output vs recomputed)",
          expected: recorded?.raw ?? "(none)",
          got: output,
        });
      }
    });
  }
}
