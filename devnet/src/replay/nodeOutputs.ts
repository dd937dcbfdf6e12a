// What a running node reports over JSON-RPC: its outputs (cartesi_listOutputs), by output
// index, and the epochs it lists as accepted (cartesi_listEpochs with status CLAIM_ACCEPTED).

import type { Address } from "viem";
import type { Hex } from "../hex.js";

export async function readNodeOutputs(
  nodeUrl: string,
  application: Address,
): Promise<Map<number, { inputIndex: number; raw: Hex }>> {
  const outputs = new Map<number, { inputIndex: number; raw: Hex }>();
  for (let offset = 0; ; ) {
    const res = await fetch(nodeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "cartesi_listOutputs",
        params: { application, limit: 1000, offset },
      }),
    });
    const body = (await res.json()) as {
      result?: { data: { index: Hex; input_index: Hex; raw_data: Hex }[]; pagination: { total_count: number } };
      error?: { message: string };
    };
    if (!body.result) throw new Error(`cartesi_listOutputs: ${body.error?.message ?? res.status}`);
    for (const o of body.result.data)
      outputs.set(parseInt(o.index, 16), { inputIndex: parseInt(o.input_index, 16), raw: o.raw_data });
    offset += body.result.data.length;
    if (body.result.data.length === 0 || offset >= Number(body.result.pagination.total_count)) return outputs;
  }
}

/** An epoch a node lists as CLAIM_ACCEPTED: its claim must be among the chain's ClaimAccepted events. */
export interface NodeAcceptedEpoch {
  index: number;
  firstBlock: number;
  lastBlock: number;
  /** Inputs [inputLower, inputUpper) belong to it. */
  inputLower: number;
  inputUpper: number;
  outputsRoot: Hex;
}

export async function readNodeAcceptedEpochs(nodeUrl: string, application: Address): Promise<NodeAcceptedEpoch[]> {
  const epochs: NodeAcceptedEpoch[] = [];
  for (let offset = 0; ; ) {
    const res = await fetch(nodeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "cartesi_listEpochs",
        params: { application, status: "CLAIM_ACCEPTED", limit: 1000, offset },
      }),
    });
    const body = (await res.json()) as {
      result?: {
        data: {
          index: Hex;
          first_block: Hex;
          last_block: Hex;
          input_index_lower_bound: Hex;
          input_index_upper_bound: Hex;
          outputs_merkle_root: Hex;
        }[];
        pagination: { total_count: number };
      };
      error?: { message: string };
    };
    if (!body.result) throw new Error(`cartesi_listEpochs: ${body.error?.message ?? res.status}`);
    for (const e of body.result.data) {
      epochs.push({
        index: parseInt(e.index, 16),
        firstBlock: parseInt(e.first_block, 16),
        lastBlock: parseInt(e.last_block, 16),
        inputLower: parseInt(e.input_index_lower_bound, 16),
        inputUpper: parseInt(e.input_index_upper_bound, 16),
        outputsRoot: e.outputs_merkle_root,
      });
    }
    offset += body.result.data.length;
    if (body.result.data.length === 0 || offset >= Number(body.result.pagination.total_count)) return epochs;
  }
}
