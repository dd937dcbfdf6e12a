// The rollup HTTP API types, imported as a dApp imports them (`@lcore/devnet/rollup-http-api`,
// types only), describe what the server sends and takes: a dApp loop written against them
// runs one advance and one inspect.

import { describe, expect, it } from "vitest";
import { startRollupHttpServer } from "@lcore/devnet";
import type {
  AdvanceMetadata,
  FinishStatus,
  IndexResponse,
  NoticeBody,
  ReportBody,
  RollupRequest,
  VoucherBody,
} from "@lcore/devnet/rollup-http-api";

const APP = "0x1111111111111111111111111111111111111111";
const metadata: AdvanceMetadata = {
  chain_id: 31337,
  app_contract: APP,
  msg_sender: APP,
  block_number: 1,
  block_timestamp: 1_700_000_000,
  prev_randao: `0x${"00".repeat(32)}`,
  input_index: 0,
};

async function post<T>(url: string, body: unknown): Promise<{ status: number; body: T | undefined }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as T) };
}

describe("@lcore/devnet/rollup-http-api", () => {
  it("types what a dApp's loop sends and receives", async () => {
    const server = await startRollupHttpServer({ port: 0 });
    try {
      const advanced = server.advance(metadata, "0xabcd");
      const inspected = server.inspect("0x01");
      let status: FinishStatus = "accept";
      const seen: RollupRequest["request_type"][] = [];
      for (let k = 0; k < 2; k++) {
        const next = await post<RollupRequest>(`${server.url}/finish`, { status });
        expect(next.status).toBe(200);
        const request = next.body!;
        seen.push(request.request_type);
        if (request.request_type === "advance_state") {
          expect(request.data.metadata).toEqual(metadata);
          const notice: NoticeBody = { payload: request.data.payload };
          const voucher: VoucherBody = { destination: request.data.metadata.msg_sender, value: "0x01", payload: "0x" };
          expect((await post<IndexResponse>(`${server.url}/notice`, notice)).body).toEqual({ index: 0 });
          expect((await post<IndexResponse>(`${server.url}/voucher`, voucher)).body).toEqual({ index: 1 });
        } else {
          const report: ReportBody = { payload: request.data.payload };
          expect((await post(`${server.url}/report`, report)).status).toBe(202);
          status = "reject";
        }
      }
      // The last status finishes the inspect; this /finish then waits until the server closes.
      post(`${server.url}/finish`, { status }).catch(() => {});
      expect(seen).toEqual(["advance_state", "inspect_state"]);
      expect((await advanced).outputs).toHaveLength(2);
      expect(await inspected).toEqual({ status: "REJECTED", reports: ["0x01"] });
    } finally {
      await server.close();
    }
  });
});
