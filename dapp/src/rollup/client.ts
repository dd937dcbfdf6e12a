// The dApp's side of the rollup HTTP API, over node:http with one keep-alive
// connection: a request per output is the dApp's only I/O, so it should be cheap.

import { Agent, request } from "node:http";
import type { AdvanceMetadata, FinishStatus, Hex, IndexResponse, RollupRequest } from "@lcore/devnet/rollup-http-api";

export class RollupHttpError extends Error {
  override name = "RollupHttpError";
}

const HEX_PAYLOAD = /^0x(?:[0-9a-fA-F]{2})*$/;

/** Payload hex from the server to bytes (Buffer's native decoder, after a strict format check). */
export function payloadBytes(hex: string): Uint8Array {
  if (!HEX_PAYLOAD.test(hex)) throw new RollupHttpError("payload is not 0x-prefixed hex");
  return Buffer.from(hex.slice(2), "hex");
}

export function hexPayload(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

export type NextRequest =
  | { type: "advance"; metadata: AdvanceMetadata; payload: Uint8Array }
  | { type: "inspect"; payload: Uint8Array };

export class RollupClient {
  private readonly url: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  private post(path: string, body: unknown): Promise<{ status: number; text: string }> {
    const data = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname.replace(/\/$/, "") + path,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": data.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(data);
    });
  }

  private async expect(path: string, body: unknown, ok: number[]): Promise<string> {
    const r = await this.post(path, body);
    if (!ok.includes(r.status)) throw new RollupHttpError(`POST ${path} answered ${r.status}: ${r.text.slice(0, 200)}`);
    return r.text;
  }

  /** The next request, or null on 202 (nothing pending yet: call again with the same status). */
  async finish(status: FinishStatus): Promise<NextRequest | null> {
    const r = await this.post("/finish", { status });
    if (r.status === 202) return null;
    if (r.status !== 200) throw new RollupHttpError(`POST /finish answered ${r.status}: ${r.text.slice(0, 200)}`);
    const req = JSON.parse(r.text) as RollupRequest;
    if (req.request_type === "advance_state") {
      return { type: "advance", metadata: req.data.metadata, payload: payloadBytes(req.data.payload) };
    }
    if (req.request_type === "inspect_state") return { type: "inspect", payload: payloadBytes(req.data.payload) };
    throw new RollupHttpError(`unknown request_type ${String((req as { request_type: unknown }).request_type)}`);
  }

  async notice(payload: Uint8Array): Promise<number> {
    return (JSON.parse(await this.expect("/notice", { payload: hexPayload(payload) }, [200, 201])) as IndexResponse)
      .index;
  }

  async voucher(destination: Uint8Array, value: bigint, payload: Uint8Array): Promise<number> {
    const v = `0x${value.toString(16).padStart(64, "0")}`;
    const body = { destination: hexPayload(destination), value: v, payload: hexPayload(payload) };
    return (JSON.parse(await this.expect("/voucher", body, [200, 201])) as IndexResponse).index;
  }

  async report(payload: Uint8Array): Promise<void> {
    await this.expect("/report", { payload: hexPayload(payload) }, [200, 201, 202]);
  }

  async exception(payload: Uint8Array): Promise<void> {
    await this.expect("/exception", { payload: hexPayload(payload) }, [200, 201, 202]);
  }

  close(): void {
    this.agent.destroy();
  }
}
