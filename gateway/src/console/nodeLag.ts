// How far the rollups node is behind the chain, and its last claim, for the health strip.
// Asked live of the chain's JSON-RPC (head block; InputBox.getNumberOfInputs) and of the
// node's JSON-RPC (cartesi_getApplication, cartesi_getLastAcceptedEpochIndex,
// cartesi_getEpoch), each call bounded by TIMEOUT_MS, and the answer kept CACHE_MS so a
// room full of consoles polling every 2 s costs the upstreams one round per CACHE_MS.
// A call that fails leaves its figure null with the error: the strip says "unknown", never
// a stale number. These calls do not feed /healthz (system/health.ts has its own).

import { inputBoxAbi } from "@lcore/contracts";
import { decodeFunctionResult, encodeFunctionData, type Hex } from "viem";
import { CANONICAL_INPUT_BOX } from "../chain/inputBox.js";
import type { GatewayContext } from "../context.js";
import { shortError } from "../system/health.js";
import { keepAliveFetch } from "../chain/keepAliveFetch.js";

export const TIMEOUT_MS = 1500;
export const CACHE_MS = 2000;

export interface NodeLag {
  /** The chain's head block. */
  chainBlock: number | null;
  /** Inputs the InputBox holds for the app. */
  chainInputs: number | null;
  /** Inputs the node has processed. */
  processedInputs: number | null;
  /** The newest block the node has read inputs up to. */
  nodeBlock: number | null;
  lagInputs: number | null;
  lagBlocks: number | null;
  lastClaim: { epoch: number; lastBlock: number; txHash: string | null; status: string; at: string | null } | null;
  errors: string[];
}

async function rpc<T>(url: string, method: string, params: unknown): Promise<T> {
  const res = await keepAliveFetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status}`);
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

const num = (hex: string) => Number(BigInt(hex));

async function chainFigures(ctx: GatewayContext, out: NodeLag): Promise<void> {
  const chain = ctx.options.chain;
  if (chain === undefined) return;
  try {
    out.chainBlock = num(await rpc<string>(chain.rpcUrl, "eth_blockNumber", []));
    const data = encodeFunctionData({ abi: inputBoxAbi, functionName: "getNumberOfInputs", args: [ctx.app] });
    const to = chain.inputBox ?? CANONICAL_INPUT_BOX;
    const raw = await rpc<Hex>(chain.rpcUrl, "eth_call", [{ to, data }, "latest"]);
    out.chainInputs = Number(decodeFunctionResult({ abi: inputBoxAbi, functionName: "getNumberOfInputs", data: raw }));
  } catch (error) {
    out.errors.push(`chain: ${shortError(error)}`);
  }
}

async function nodeFigures(ctx: GatewayContext, out: NodeLag): Promise<void> {
  const follower = ctx.options.follower;
  if (follower === undefined || follower.kind !== "jsonrpc") return;
  const application = ctx.app;
  try {
    const app = await rpc<{ data: { processed_inputs: string; last_input_check_block: string } }>(
      follower.url,
      "cartesi_getApplication",
      { application },
    );
    out.processedInputs = num(app.data.processed_inputs);
    out.nodeBlock = num(app.data.last_input_check_block);
    const last = await rpc<{ data: string }>(follower.url, "cartesi_getLastAcceptedEpochIndex", { application }).catch(
      () => null, // no epoch accepted yet: the node answers "not found"
    );
    if (last !== null) {
      const epoch = await rpc<{
        data: {
          index: string;
          last_block: string;
          claim_transaction_hash: string | null;
          status: string;
          updated_at?: string;
        };
      }>(follower.url, "cartesi_getEpoch", { application, epoch_index: last.data });
      out.lastClaim = {
        epoch: num(epoch.data.index),
        lastBlock: num(epoch.data.last_block),
        txHash: epoch.data.claim_transaction_hash,
        status: epoch.data.status,
        at: epoch.data.updated_at ?? null,
      };
    }
  } catch (error) {
    out.errors.push(`node: ${shortError(error)}`);
  }
}

async function measure(ctx: GatewayContext): Promise<NodeLag> {
  const out: NodeLag = {
    chainBlock: null,
    chainInputs: null,
    processedInputs: null,
    nodeBlock: null,
    lagInputs: null,
    lagBlocks: null,
    lastClaim: null,
    errors: [],
  };
  await Promise.all([chainFigures(ctx, out), nodeFigures(ctx, out)]);
  if (out.chainInputs !== null && out.processedInputs !== null)
    out.lagInputs = Math.max(0, out.chainInputs - out.processedInputs);
  if (out.chainBlock !== null && out.nodeBlock !== null) out.lagBlocks = Math.max(0, out.chainBlock - out.nodeBlock);
  return out;
}

/** A measurer that asks at most once per CACHE_MS; concurrent callers share one round. */
export function nodeLagProbe(ctx: GatewayContext): () => Promise<NodeLag> {
  let last: { atMs: number; value: Promise<NodeLag> } | undefined;
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.atMs >= CACHE_MS) last = { atMs: now, value: measure(ctx) };
    return last.value;
  };
}
