// Replay an application's inputs from the chain through a fresh dApp in host mode, recompute
// every output and the outputs Merkle root, and compare with the claims accepted on chain, with
// the replayed state hash each notice should carry (stateHashes.ts), and with a node's outputs
// and a shadow dApp build run side by side.

import type { Address } from "viem";
import type { Hex } from "../hex.js";
import { OutputsMerkleTree, outputLeaf } from "../merkleTree.js";
import { readChainHistory } from "./chainHistory.js";
import { startDappRunner, type DappRunner } from "./dappRunner.js";
import { compareResults, type Divergence } from "./divergence.js";
import { readNodeOutputs } from "./nodeOutputs.js";
import { Progress } from "./progress.js";
import { checkNotices } from "./stateHashes.js";

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
}

export interface ReplayReport {
  inputs: number;
  outputs: number;
  claimsChecked: number;
  nodeOutputsChecked: number;
  /** Notices whose state hash was compared with the replayed state (0 for a dApp that does not answer inspect `state-hash`). */
  stateHashesChecked: number;
  /** Records accepted in the replayed records-accepted notices. */
  records: number;
  /** Against the chain and the node: only the first; against the shadow: every one. */
  divergences: Divergence[];
  shadowDivergences: Divergence[];
  seconds: number;
  inputsPerSecond: number;
  recordsPerSecond: number;
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
  let stateHashesChecked = 0;
  let records = 0;
  let nextClaim = 0;
  let done = 0;
  const progress = opts.progress
    ? new Progress(history.inputs.length, opts.progress)
    : new Progress(history.inputs.length, undefined, process.stderr.isTTY === true);
  /** Per runner, its state hash after the last input replayed; undefined: not an lcore dApp, not checked. */
  let states: (Hex | undefined)[] = [];
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
    states = await Promise.all(runners.map((r) => r.stateHash()));
    for (const input of history.inputs) {
      checkClaimsBefore(input.blockNumber);
      if (divergences.length > 0 && !opts.shadow) break;
      // The state-hash inspect is queued right behind the advance, so it sees the state after it.
      const results = await Promise.all(runners.map((r, i) => Promise.all([r.advance(input), states[i] === undefined ? undefined : r.stateHash()])));
      const [main, shadow] = results.map(([result]) => result);
      const first = tree.size;
      const noticesOf = (i: number) => {
        const [result, after] = results[i]!;
        const before = states[i];
        states[i] = after;
        if (before === undefined) return checkNotices(input.index, first, result.outputs);
        if (after === undefined) {
          // From here on this dApp is not checked; that it stopped answering is the divergence.
          const check = checkNotices(input.index, first, result.outputs);
          return { ...check, divergences: [{ inputIndex: input.index, what: "answer to the state-hash inspect after the input", expected: "a state hash", got: "(none)" }] };
        }
        return checkNotices(input.index, first, result.outputs, { before, after });
      };
      const notices = noticesOf(0);
      records += notices.records;
      stateHashesChecked += notices.stateHashesChecked;
      if (shadow) shadowDivergences.push(...compareResults(input.index, first, main!, shadow), ...noticesOf(1).divergences);
      main!.outputs.forEach((output, k) => {
        tree.append(outputLeaf(output));
        const recorded = nodeOutputs?.get(first + k);
        if (!nodeOutputs) return;
        nodeOutputsChecked++;
        if (recorded?.raw !== output && divergences.length === 0) {
          divergences.push({ inputIndex: input.index, outputIndex: first + k, what: "output bytes (node's output vs recomputed)", expected: recorded?.raw ?? "(none)", got: output });
        }
      });
      if (divergences.length === 0 && notices.divergences[0]) divergences.push(notices.divergences[0]);
      done++;
      progress.tick(done, records);
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
    progress.end();
    await Promise.all(runners.map((r) => r.stop()));
  }
  const seconds = (Date.now() - started) / 1000;
  const replaying = progress.seconds();
  return {
    inputs: done, outputs: tree.size, claimsChecked, nodeOutputsChecked, stateHashesChecked, records, divergences, shadowDivergences, seconds,
    inputsPerSecond: replaying > 0 ? done / replaying : 0, recordsPerSecond: replaying > 0 ? records / replaying : 0,
  };
}

