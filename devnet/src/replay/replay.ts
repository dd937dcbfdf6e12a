// Replay an application's inputs from the chain through a fresh dApp in host mode, recompute
// every output and the outputs Merkle root, and compare with the claims accepted on chain (and
// a node's outputs, and a shadow dApp build run side by side).

import type { Address } from "viem";
import { OutputsMerkleTree, outputLeaf } from "../merkleTree.js";
import { readChainHistory } from "./chainHistory.js";
import { startDappRunner, type DappRunner } from "./dappRunner.js";
import { compareResults, type Divergence } from "./divergence.js";
import { readNodeOutputs } from "./nodeOutputs.js";
import { Progress } from "./progress.js";

export interface ReplayOptions {
  rpcUrl: string;
  application: Address;
  dapp: string[];
  shadow?: string[] | undefined;
  nodeUrl?: string | undefined;
  fromBlock?: number | undefined;
  cwd?: string | undefined;
  /** Progress lines (stderr by default); pass () => {} to silence. */
  progress?: ((line: string) => void) | undefined;
}

export interface ReplayReport {
  inputs: number;
  outputs: number;
  claimsChecked: number;
  nodeOutputsChecked: number;
  /** Against the chain and the node: only the first; against the shadow: every one. */
  divergences: Divergence[];
  shadowDivergences: Divergence[];
  seconds: number;
  inputsPerSecond: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayReport> {
  const started = Date.now();
  const history = await readChainHistory(opts.rpcUrl, opts.application, opts.fromBlock);
  const nodeOutputs = opts.nodeUrl ? await readNodeOutputs(opts.nodeUrl, opts.application) : undefined;
  const runners: DappRunner[] = [];
  const tree = new OutputsMerkleTree();
  const divergences: Divergence[] = [];
  const shadowDivergences: Divergence[] = [];
  let claimsChecked = 0;
  let nodeOutputsChecked = 0;
  let nextClaim = 0;
  let done = 0;
  const progress = new Progress(history.inputs.length, opts.progress);
  const lastInputBefore = (block: number) => history.inputs.filter((i) => i.blockNumber <= block).at(-1)?.index ?? -1;

  // Every claim whose last block precedes `block` covers exactly the outputs in the tree now.
  const checkClaimsBefore = (block: number) => {
    while (nextClaim < history.claims.length && history.claims[nextClaim]!.lastProcessedBlockNumber < block) {
      const claim = history.claims[nextClaim++]!;
      claimsChecked++;
      const root = tree.root();
      if (root !== claim.outputsMerkleRoot && divergences.length === 0) {
        divergences.push({
          inputIndex: lastInputBefore(claim.lastProcessedBlockNumber),
          outputIndex: tree.size - 1,
          what: `outputs Merkle root of the claim accepted for blocks up to ${claim.lastProcessedBlockNumber}`,
          expected: claim.outputsMerkleRoot,
          got: root,
        });
      }
    }
  };

  try {
    runners.push(await startDappRunner(opts.dapp, opts.application, opts.cwd));
    if (opts.shadow) runners.push(await startDappRunner(opts.shadow, opts.application, opts.cwd));
    for (const input of history.inputs) {
      checkClaimsBefore(input.blockNumber);
      if (divergences.length > 0 && !opts.shadow) break;
      const [main, shadow] = await Promise.all(runners.map((r) => r.advance(input)));
      const first = tree.size;
      if (shadow) shadowDivergences.push(...compareResults(input.index, first, main!, shadow));
      main!.outputs.forEach((output, k) => {
        tree.append(outputLeaf(output));
        const recorded = nodeOutputs?.get(first + k);
        if (!nodeOutputs) return;
        nodeOutputsChecked++;
        if (recorded?.raw !== output && divergences.length === 0) {
          divergences.push({ inputIndex: input.index, outputIndex: first + k, what: "output bytes (node's output vs recomputed)", expected: recorded?.raw ?? "(none)", got: output });
        }
      });
      done++;
      progress.tick(done);
      if (divergences.length > 0 && !opts.shadow) break;
    }
    if (divergences.length === 0) {
      checkClaimsBefore(Number.POSITIVE_INFINITY);
      if (nodeOutputs && nodeOutputs.size > tree.size) {
        const missing = tree.size;
        divergences.push({ inputIndex: nodeOutputs.get(missing)!.inputIndex, outputIndex: missing, what: "output the node has and the replay did not produce", expected: nodeOutputs.get(missing)!.raw, got: "(none)" });
      }
    }
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
  }
  const seconds = (Date.now() - started) / 1000;
  return { inputs: done, outputs: tree.size, claimsChecked, nodeOutputsChecked, divergences, shadowDivergences, seconds, inputsPerSecond: progress.rate(done) };
}

