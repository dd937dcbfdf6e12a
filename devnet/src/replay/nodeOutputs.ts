// The outputs a running node reports over JSON-RPC (cartesi_listOutputs), by output index.

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
