// A chain and a rollups node in one small fake, over HTTP, for tests of what the gateway does
// when the chain misbehaves: a JSON-RPC server answering the calls the gateway makes (nonces,
// fees, raw transactions, receipts, blocks with a `finalized` tag, eth_call through a hook), one
// block per mined transaction, the InputBox's InputAdded logs; and a node's JSON-RPC that runs
// a tiny stand-in of the dApp's record rule (a device's seq must increase; a batch whose every
// record is skipped is rejected no_record_accepted) over the chain's current inputs, so it
// "rolls back" perfectly. The test drives the faults: reorganise, roll back, restart with an
// empty pool, stop answering.

import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { inputBoxAbi, inputsAbi } from "@lcore/contracts";
import { decodeInput } from "@lcore/protocol/input";
import { encodeNotice } from "@lcore/protocol/notices";
import { recordHash } from "@lcore/protocol/recordBatch";
import { encodeReport } from "@lcore/protocol/reports";
import {
  type Address,
  type Hex,
  decodeFunctionData,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionData,
  keccak256,
  numberToHex,
  parseTransaction,
  recoverTransactionAddress,
  toHex,
} from "viem";
import type { Cleanup } from "./tempDir.js";

export interface FakeTx {
  hash: Hex;
  raw: Hex;
  from: Address;
  to: Address;
  nonce: number;
  data: Hex;
  maxFee: bigint;
  maxPriority: bigint;
}

interface Block {
  number: number;
  hash: Hex;
  parentHash: Hex;
  timestamp: number;
  txs: FakeTx[];
}

/** One input of the app on the chain as it is now. */
export interface FakeInput {
  index: number;
  sender: Address;
  payload: Hex;
  blockNumber: number;
  txHash: Hex;
}

/** A JSON-RPC error answer. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Hex,
  ) {
    super(message);
  }
}

type Handler = (method: string, params: unknown[]) => unknown; // params: an array, or the named object the node's API takes

/** A JSON-RPC server (single and batch requests) that can stop answering. */
export interface RpcServer {
  url: string;
  /** While true, every connection is destroyed unanswered. */
  down: boolean;
  /** Methods answered, in order. */
  calls: string[];
  /** HTTP requests received, answered or not. */
  requests: number;
}

export async function rpcServer(cleanups: Cleanup[], handle: Handler): Promise<RpcServer> {
  const sockets = new Set<Socket>();
  const rpc: RpcServer = { url: "", down: false, calls: [], requests: 0 };
  const answer = async (call: { id?: unknown; method: string; params?: unknown[] }) => {
    rpc.calls.push(call.method);
    try {
      return { jsonrpc: "2.0", id: call.id, result: (await handle(call.method, call.params ?? [])) ?? null };
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      const data = error.data === undefined ? {} : { data: error.data };
      return { jsonrpc: "2.0", id: call.id, error: { code: error.code, message: error.message, ...data } };
    }
  };
  const server: Server = createServer((req, res) => {
    rpc.requests++;
    if (rpc.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const out = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
      if (rpc.down) {
        req.socket.destroy();
        return;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? toHex(v) : v)));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  rpc.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rpc;
}

const CHAIN_ID = 31337;
const BASE_FEE = 1_000_000_000n;
const ZERO32 = `0x${"00".repeat(32)}` as Hex;
const BLOOM = `0x${"00".repeat(256)}` as Hex;

export class FakeChain {
  readonly blocks: Block[] = [];
  readonly pool = new Map<string, FakeTx>();
  /** Mine each transaction as it arrives (when its nonce is next). */
  automine = true;
  /** Blocks below the latest that the `finalized` tag trails by; null: the RPC has no such tag. */
  finalityDepth: number | null = 2;
  /** eth_call: return data, or throw an RpcError (use `FakeChain.revert`). */
  onCall: (to: Address, data: Hex) => Hex = () => "0x";
  #salt = 0;

  constructor(
    readonly inputBox: Address,
    readonly app: Address,
  ) {
    this.#push([]);
  }

  static revert(data: Hex): never {
    throw new RpcError(3, "execution reverted", data);
  }

  get head(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  #push(txs: FakeTx[]): Block {
    const parent = this.blocks[this.blocks.length - 1];
    const number = parent === undefined ? 0 : parent.number + 1;
    const parentHash = parent?.hash ?? ZERO32;
    const hash = keccak256(toHex(`${number}:${parentHash}:${this.#salt++}:${txs.map((t) => t.hash).join(",")}`));
    const block = { number, hash, parentHash, timestamp: 1_700_000_000 + number, txs };
    this.blocks.push(block);
    return block;
  }

  nonceAt(address: Address): number {
    let n = 0;
    for (const b of this.blocks) for (const t of b.txs) if (t.from.toLowerCase() === address.toLowerCase()) n++;
    return n;
  }

  /** Mines one block per executable pool transaction (lowest nonce first), then `empty` empty blocks. */
  mine(empty = 0): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (const [key, tx] of [...this.pool].sort((a, b) => a[1].nonce - b[1].nonce)) {
        if (tx.nonce !== this.nonceAt(tx.from)) continue;
        this.pool.delete(key);
        this.#push([tx]);
        progress = true;
      }
    }
    for (let i = 0; i < empty; i++) this.#push([]);
  }

  /** The last `depth` blocks are replaced by as many empty ones: their transactions are gone (anvil_reorg). */
  reorg(depth: number): void {
    this.rollback(depth);
    for (let i = 0; i < depth; i++) this.#push([]);
  }

  /** The last `depth` blocks are dropped, their transactions with them (anvil_rollback). */
  rollback(depth: number): void {
    this.blocks.splice(this.blocks.length - depth, depth);
  }

  /** A restart from a state saved `lost` blocks ago: those blocks and the whole pool are gone. */
  restart(lost: number): void {
    this.rollback(lost);
    this.pool.clear();
  }

  /** Every input of the app, in index order, on the chain as it is now (up to `maxBlock`). */
  inputs(maxBlock = Number.POSITIVE_INFINITY): FakeInput[] {
    const out: FakeInput[] = [];
    for (const b of this.blocks) {
      if (b.number > maxBlock) break;
      for (const t of b.txs) {
        const payload = this.#inputPayload(t);
        if (payload !== null)
          out.push({ index: out.length, sender: t.from, payload, blockNumber: b.number, txHash: t.hash });
      }
    }
    return out;
  }

  #inputPayload(t: FakeTx): Hex | null {
    if (t.to.toLowerCase() !== this.inputBox.toLowerCase()) return null;
    const { args } = decodeFunctionData({ abi: inputBoxAbi, data: t.data });
    return (args as readonly [Address, Hex])[1];
  }

  #find(hash: string): { tx: FakeTx; block: Block | null } | undefined {
    for (const b of this.blocks) for (const t of b.txs) if (t.hash === hash) return { tx: t, block: b };
    for (const t of this.pool.values()) if (t.hash === hash) return { tx: t, block: null };
    return undefined;
  }

  async send(raw: Hex): Promise<Hex> {
    const parsed = parseTransaction(raw);
    const from = await recoverTransactionAddress({ serializedTransaction: raw as never });
    const tx: FakeTx = {
      hash: keccak256(raw),
      raw,
      from,
      to: parsed.to!,
      nonce: parsed.nonce!,
      data: parsed.data ?? "0x",
      maxFee: parsed.maxFeePerGas ?? 0n,
      maxPriority: parsed.maxPriorityFeePerGas ?? 0n,
    };
    if (this.#find(tx.hash) !== undefined) throw new RpcError(-32000, "already known");
    if (tx.nonce < this.nonceAt(from)) throw new RpcError(-32000, "nonce too low");
    const key = `${from.toLowerCase()}:${tx.nonce}`;
    const old = this.pool.get(key);
    if (old !== undefined && (tx.maxFee * 10n < old.maxFee * 11n || tx.maxPriority * 10n < old.maxPriority * 11n))
      throw new RpcError(-32000, "replacement transaction underpriced");
    this.pool.set(key, tx);
    if (this.automine) this.mine();
    return tx.hash;
  }

  blockJson(b: Block) {
    return {
      number: numberToHex(b.number),
      hash: b.hash,
      parentHash: b.parentHash,
      timestamp: numberToHex(b.timestamp),
      baseFeePerGas: toHex(BASE_FEE),
      gasLimit: "0x1c9c380",
      gasUsed: "0x0",
      miner: `0x${"00".repeat(20)}`,
      difficulty: "0x0",
      totalDifficulty: "0x0",
      extraData: "0x",
      logsBloom: BLOOM,
      mixHash: ZERO32,
      nonce: "0x0000000000000000",
      receiptsRoot: ZERO32,
      sha3Uncles: ZERO32,
      stateRoot: ZERO32,
      transactionsRoot: ZERO32,
      size: "0x100",
      transactions: b.txs.map((t) => t.hash),
      uncles: [],
    };
  }

  receiptJson(hash: Hex) {
    const found = this.#find(hash);
    if (found === undefined || found.block === null) return null;
    const { tx, block } = found;
    const payload = this.#inputPayload(tx);
    const logs =
      payload === null
        ? []
        : [this.#inputAddedLog(this.inputs(block.number).find((i) => i.txHash === tx.hash)!, block, tx)];
    return {
      transactionHash: tx.hash,
      transactionIndex: "0x0",
      blockHash: block.hash,
      blockNumber: numberToHex(block.number),
      from: tx.from,
      to: tx.to,
      cumulativeGasUsed: "0x186a0",
      gasUsed: "0x186a0",
      effectiveGasPrice: toHex(BASE_FEE),
      contractAddress: null,
      logs,
      logsBloom: BLOOM,
      status: "0x1",
      type: "0x2",
    };
  }

  #inputAddedLog(input: FakeInput, block: Block, tx: FakeTx) {
    const event = inputBoxAbi.find((e) => e.type === "event" && e.name === "InputAdded")!;
    const advance = encodeFunctionData({
      abi: inputsAbi,
      functionName: "EvmAdvance",
      args: [
        BigInt(CHAIN_ID),
        this.app,
        tx.from,
        BigInt(block.number),
        BigInt(block.timestamp),
        0n,
        BigInt(input.index),
        input.payload,
      ],
    });
    return {
      address: this.inputBox,
      topics: encodeEventTopics({
        abi: [event],
        eventName: "InputAdded",
        args: { appContract: this.app, index: BigInt(input.index) },
      }),
      data: encodeAbiParameters([{ type: "bytes" }], [advance]),
      blockNumber: numberToHex(block.number),
      blockHash: block.hash,
      transactionHash: tx.hash,
      transactionIndex: "0x0",
      logIndex: "0x0",
      removed: false,
    };
  }

  #block(tag: string) {
    if (tag === "latest" || tag === "pending" || tag === "safe") return this.head;
    if (tag === "earliest") return this.blocks[0]!;
    if (tag === "finalized") {
      if (this.finalityDepth === null) throw new RpcError(-32602, "unknown block tag finalized");
      return this.blocks[Math.max(0, this.blocks.length - 1 - this.finalityDepth)]!;
    }
    return this.blocks[Number(tag)] ?? null;
  }

  /** The chain's JSON-RPC. */
  handle(method: string, params: unknown[]): unknown {
    const p = params as string[];
    switch (method) {
      case "eth_chainId":
        return numberToHex(CHAIN_ID);
      case "eth_blockNumber":
        return numberToHex(this.head.number);
      case "eth_getBlockByNumber": {
        const b = this.#block(p[0]!);
        return b === null ? null : this.blockJson(b);
      }
      case "eth_getTransactionCount": {
        const latest = this.nonceAt(p[0] as Address);
        if (p[1] !== "pending") return numberToHex(latest);
        let n = latest;
        while (this.pool.has(`${p[0]!.toLowerCase()}:${n}`)) n++;
        return numberToHex(n);
      }
      case "eth_estimateGas":
        return "0x30d40";
      case "eth_maxPriorityFeePerGas":
        return toHex(BASE_FEE);
      case "eth_gasPrice":
        return toHex(2n * BASE_FEE);
      case "eth_getTransactionReceipt":
        return this.receiptJson(p[0] as Hex);
      case "eth_getTransactionByHash": {
        const f = this.#find(p[0]!);
        return f === undefined
          ? null
          : {
              hash: f.tx.hash,
              from: f.tx.from,
              to: f.tx.to,
              nonce: numberToHex(f.tx.nonce),
              input: f.tx.data,
              blockNumber: f.block === null ? null : numberToHex(f.block.number),
            };
      }
      case "eth_sendRawTransaction":
        return this.send(p[0] as Hex);
      case "eth_call": {
        const call = params[0] as { to: Address; data?: Hex; input?: Hex };
        return this.onCall(call.to, call.data ?? call.input ?? "0x");
      }
      default:
        throw new RpcError(-32601, `method ${method} not supported by the fake chain`);
    }
  }
}

/** A node's verdicts, computed from the chain's current inputs by the stand-in dApp rule. */
interface Processed {
  status: "ACCEPTED" | "REJECTED";
  outputs: { index: number; payload: Hex }[];
  reports: Hex[];
}

export class FakeNode {
  /** The node reads inputs up to this confidence; `frozen` stops it at the block it had reached. */
  confidence: "latest" | "finalized" = "latest";
  frozenAt: number | null = null;

  constructor(
    readonly chain: FakeChain,
    readonly app: Address,
  ) {}

  #maxBlock(): number {
    const tagged =
      this.confidence === "latest" ? this.chain.head.number : this.chain.head.number - (this.chain.finalityDepth ?? 0);
    return this.frozenAt === null ? tagged : Math.min(tagged, this.frozenAt);
  }

  /** Every input the node has processed, with its verdict and outputs (output indexes global, in order). */
  processed(): (FakeInput & Processed)[] {
    const last = new Map<string, bigint>();
    let output = 0;
    return this.chain.inputs(this.#maxBlock()).map((input) => {
      const p = process(input, last, output);
      output += p.outputs.length;
      return { ...input, ...p };
    });
  }

  handle(method: string, params: unknown[]): unknown {
    type Query = { input_index?: Hex; output_index?: Hex; offset?: number; limit?: number };
    const q = ((Array.isArray(params) ? params[0] : params) ?? {}) as Query;
    const all = this.processed();
    const input = q.input_index === undefined ? undefined : all[Number(q.input_index)];
    switch (method) {
      case "cartesi_getInput":
        if (input === undefined) throw new RpcError(-32001, "input not found");
        return { data: { status: input.status, decoded_data: { sender: input.sender, payload: input.payload } } };
      case "cartesi_listOutputs": {
        const outputs = (input === undefined ? all : [input]).flatMap((i) => i.outputs);
        const from = q.offset ?? 0;
        return {
          data: outputs.slice(from, from + (q.limit ?? 100)).map((o) => ({
            index: numberToHex(o.index),
            epoch_index: "0x0",
            raw_data: o.payload,
            decoded_data: { type: "Notice", payload: o.payload },
            output_hashes_siblings: null,
            execution_transaction_hash: null,
          })),
        };
      }
      case "cartesi_listReports":
        return { data: (input?.reports ?? []).map((r) => ({ raw_data: r })) };
      case "cartesi_getProcessedInputCount":
        return { data: numberToHex(all.length) };
      default:
        throw new RpcError(-32601, `method ${method} not supported by the fake node`);
    }
  }
}

/** The stand-in dApp: registrations and ticks are accepted; a batch's records need an increasing seq per device. */
function process(input: FakeInput, last: Map<string, bigint>, firstOutput: number): Processed {
  const bytes = Buffer.from(input.payload.slice(2), "hex");
  const decoded = decodeInput(new Uint8Array(bytes));
  if (decoded.kind !== "record_batch") return { status: "ACCEPTED", outputs: [], reports: [] };
  const accepted: { device: Uint8Array; seq: bigint; recordHash: Uint8Array }[] = [];
  const skipped: { index: number; device: Hex; seq: string; reason: "seq_not_increasing" }[] = [];
  decoded.records.forEach((r, index) => {
    const key = toHex(r.device);
    if ((last.get(key) ?? -1n) >= r.seq) {
      skipped.push({ index, device: key, seq: r.seq.toString(), reason: "seq_not_increasing" });
      return;
    }
    last.set(key, r.seq);
    accepted.push({ device: r.device, seq: r.seq, recordHash: recordHash(r.bytes) });
  });
  const report = (r: Parameters<typeof encodeReport>[0]) => toHex(encodeReport(r));
  const reports =
    skipped.length === 0 ? [] : [report({ type: "skipped", input: String(input.index), records: skipped })];
  if (accepted.length === 0) {
    return {
      status: "REJECTED",
      outputs: [],
      reports: [
        report({ type: "rejected", input: String(input.index), reason: "no_record_accepted", detail: "" }),
        ...reports,
      ],
    };
  }
  const notice = toHex(encodeNotice({ kind: "records_accepted", stateHash: new Uint8Array(32), records: accepted }));
  return { status: "ACCEPTED", outputs: [{ index: firstOutput, payload: notice }], reports };
}

export interface FakeStack {
  chain: FakeChain;
  node: FakeNode;
  rpc: RpcServer;
  nodeRpc: RpcServer;
}

export async function fakeStack(cleanups: Cleanup[], app: Address): Promise<FakeStack> {
  const inputBox = `0x${"1b".repeat(20)}` as Address;
  const chain = new FakeChain(inputBox, app);
  const node = new FakeNode(chain, app);
  const rpc = await rpcServer(cleanups, (m, p) => chain.handle(m, p));
  const nodeRpc = await rpcServer(cleanups, (m, p) => node.handle(m, p));
  return { chain, node, rpc, nodeRpc };
}

/** Polls `check` until it returns something other than undefined; fails after `ms`. */
export async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
  what = "condition",
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
