// What the follower needs from the rollups node about one input: whether it was
// processed, and its notices and reports. Two transports, chosen by configuration:
// the node's JSON-RPC (cartesi_getInput, cartesi_listOutputs, cartesi_listReports) or
// the rollups-graphql reader. Both return the same shape.

import { type Upstream, UpstreamUnreachableError } from "../system/health.js";
import { keepAliveFetch } from "./keepAliveFetch.js";

export type NodeInputStatus =
  | "NONE"
  | "ACCEPTED"
  | "REJECTED"
  | "EXCEPTION"
  | "MACHINE_HALTED"
  | "CYCLE_LIMIT_EXCEEDED"
  | "TIME_LIMIT_EXCEEDED"
  | "PAYLOAD_LENGTH_LIMIT_EXCEEDED"
  | "OUTPUTS_LIMIT_EXCEEDED";

export interface NodeInput {
  /** NONE: not processed yet. */
  status: NodeInputStatus;
  /** The input as the node has it, when it says: its sender and payload (the follower checks they are the gateway's). */
  sender?: `0x${string}`;
  payload?: `0x${string}`;
  /** Notice payloads with their global output index. */
  notices: { index: number; payload: `0x${string}` }[];
  reports: { payload: `0x${string}` }[];
}

export interface NodeReader {
  /** Null when the node does not know the input yet. */
  input(index: number): Promise<NodeInput | null>;
  /**
   * How many of the application's inputs the node has processed (they are processed in index
   * order), when the transport can say it in one small call; undefined when it cannot.
   */
  processedInputCount?(): Promise<number | undefined>;
}

/** One output of the app, as the settlement follower and the voucher executor need it. */
export interface NodeOutput {
  index: number;
  epochIndex: number;
  /** The output's bytes (a Notice or Voucher ABI call): what executeOutput takes. */
  raw: `0x${string}`;
  decoded:
    | { type: "Notice"; payload: `0x${string}` }
    | { type: "Voucher"; destination: `0x${string}`; value: bigint; payload: `0x${string}` }
    | { type: "other" };
  /** The 63 siblings of its leaf, once its epoch is sealed; null before. */
  siblings: `0x${string}`[] | null;
  /** The executeOutput transaction the node saw, if any. */
  executionTxHash: `0x${string}` | null;
}

/** The app's outputs in index order (JSON-RPC only: cartesi_listOutputs, cartesi_getOutput, cartesi_getEpoch). */
export interface OutputReader {
  outputs(offset: number, limit: number): Promise<NodeOutput[]>;
  output(index: number): Promise<NodeOutput | null>;
  /** The epoch's status (OPEN … CLAIM_ACCEPTED), null if unknown. */
  epochStatus(index: number): Promise<string | null>;
}

/** Longest wait for one call to the node. */
const TIMEOUT_MS = 10_000;
/** Page size for outputs and reports of one input (a batch emits one notice and at most one report). */
const PAGE = 100;

async function postJson(url: string, body: unknown, upstream: Upstream | undefined): Promise<unknown> {
  const call = async () => {
    const res = await keepAliveFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new UpstreamUnreachableError(`node answered HTTP ${res.status}`);
    return res.json();
  };
  return upstream === undefined ? call() : upstream.call(call);
}

interface RawOutput {
  index: string;
  epoch_index: string;
  raw_data: `0x${string}`;
  output_hashes_siblings: `0x${string}`[] | null;
  execution_transaction_hash: `0x${string}` | null;
  decoded_data: { type: string; payload: `0x${string}`; destination?: `0x${string}`; value?: string } | null;
}

function outputFromRpc(o: RawOutput): NodeOutput {
  const d = o.decoded_data;
  return {
    index: Number(BigInt(o.index)),
    epochIndex: Number(BigInt(o.epoch_index)),
    raw: o.raw_data,
    decoded:
      d?.type === "Notice"
        ? { type: "Notice", payload: d.payload }
        : d?.type === "Voucher"
          ? { type: "Voucher", destination: d.destination!, value: BigInt(d.value ?? "0x0"), payload: d.payload }
          : { type: "other" },
    siblings: o.output_hashes_siblings ?? null,
    executionTxHash: o.execution_transaction_hash ?? null,
  };
}

export class JsonRpcNodeReader implements NodeReader, OutputReader {
  #id = 0;
  constructor(
    readonly url: string,
    readonly app: string,
    /** Told whether each call got an answer (system/health.ts). */
    readonly upstream?: Upstream,
  ) {}

  /** Set once the node answers that it has no cartesi_getProcessedInputCount. */
  #noProcessedCount = false;

  async #call<T>(method: string, params: Record<string, unknown>, absentMethod?: () => void): Promise<T | null> {
    const body = { jsonrpc: "2.0", id: ++this.#id, method, params };
    const answer = (await postJson(this.url, body, this.upstream)) as {
      result?: T;
      error?: { code: number; message: string };
    };
    if (answer.error !== undefined) {
      if (answer.error.code === -32001) return null; // resource not found
      if (answer.error.code === -32601 && absentMethod !== undefined) {
        absentMethod();
        return null;
      }
      throw new Error(`${method}: ${answer.error.message}`);
    }
    return answer.result ?? null;
  }

  /** The rollups-node v2 has it; a node without it (method not found) is asked input by input from then on. */
  async processedInputCount(): Promise<number | undefined> {
    if (this.#noProcessedCount) return undefined;
    const got = await this.#call<{ data: `0x${string}` }>(
      "cartesi_getProcessedInputCount",
      { application: this.app },
      () => {
        this.#noProcessedCount = true;
      },
    );
    return got === null ? undefined : Number(BigInt(got.data));
  }

  async input(index: number): Promise<NodeInput | null> {
    const input_index = `0x${index.toString(16)}`;
    const got = await this.#call<{
      data: { status: NodeInputStatus; decoded_data?: { sender?: `0x${string}`; payload?: `0x${string}` } | null };
    }>("cartesi_getInput", { application: this.app, input_index });
    if (got === null) return null;
    if (got.data.status === "NONE") return { status: "NONE", notices: [], reports: [] };
    const sender = got.data.decoded_data?.sender;
    const payload = got.data.decoded_data?.payload;
    const outputs = await this.#call<{
      data: { index: string; decoded_data: { type: string; payload: `0x${string}` } | null }[];
    }>("cartesi_listOutputs", { application: this.app, input_index, limit: PAGE });
    const reports = await this.#call<{ data: { raw_data: `0x${string}` }[] }>("cartesi_listReports", {
      application: this.app,
      input_index,
      limit: PAGE,
    });
    return {
      status: got.data.status,
      ...(sender === undefined ? {} : { sender }),
      ...(payload === undefined ? {} : { payload }),
      notices: (outputs?.data ?? [])
        .filter((o) => o.decoded_data?.type === "Notice")
        .map((o) => ({ index: Number(BigInt(o.index)), payload: o.decoded_data!.payload })),
      reports: (reports?.data ?? []).map((r) => ({ payload: r.raw_data })),
    };
  }

  async outputs(offset: number, limit: number): Promise<NodeOutput[]> {
    const got = await this.#call<{ data: RawOutput[] }>("cartesi_listOutputs", {
      application: this.app,
      offset,
      limit,
    });
    return (got?.data ?? []).map(outputFromRpc);
  }

  async output(index: number): Promise<NodeOutput | null> {
    const got = await this.#call<{ data: RawOutput }>("cartesi_getOutput", {
      application: this.app,
      output_index: `0x${index.toString(16)}`,
    });
    return got === null ? null : outputFromRpc(got.data);
  }

  async epochStatus(index: number): Promise<string | null> {
    const got = await this.#call<{ data: { status: string } }>("cartesi_getEpoch", {
      application: this.app,
      epoch_index: `0x${index.toString(16)}`,
    });
    return got?.data.status ?? null;
  }
}

const GRAPHQL_STATUS: Record<string, NodeInputStatus> = { UNPROCESSED: "NONE" };

export class GraphqlNodeReader implements NodeReader {
  constructor(
    readonly url: string,
    readonly upstream?: Upstream,
  ) {}

  async input(index: number): Promise<NodeInput | null> {
    const query = `query ($gt: Int, $lt: Int) {
      inputs(first: 1, where: { indexGreaterThan: $gt, indexLowerThan: $lt }) {
        edges { node {
          index status msgSender payload
          notices(first: ${PAGE}) { edges { node { index payload } } }
          reports(first: ${PAGE}) { edges { node { payload } } }
        } }
      }
    }`;
    const answer = (await postJson(
      this.url,
      { query, variables: { gt: index - 1, lt: index + 1 } },
      this.upstream,
    )) as {
      data?: {
        inputs: {
          edges: {
            node: {
              index: number;
              status: string;
              msgSender?: `0x${string}`;
              payload?: `0x${string}`;
              notices: { edges: { node: { index: number; payload: `0x${string}` } }[] };
              reports: { edges: { node: { payload: `0x${string}` } }[] };
            };
          }[];
        };
      };
      errors?: { message: string }[];
    };
    if (answer.errors !== undefined && answer.errors.length > 0)
      throw new Error(`graphql: ${answer.errors[0]!.message}`);
    const node = answer.data?.inputs.edges[0]?.node;
    if (node === undefined || node.index !== index) return null;
    return {
      status: GRAPHQL_STATUS[node.status] ?? (node.status as NodeInputStatus),
      ...(node.msgSender === undefined ? {} : { sender: node.msgSender }),
      ...(node.payload === undefined ? {} : { payload: node.payload }),
      notices: node.notices.edges.map((e) => ({ index: e.node.index, payload: e.node.payload })),
      reports: node.reports.edges.map((e) => ({ payload: e.node.payload })),
    };
  }
}
