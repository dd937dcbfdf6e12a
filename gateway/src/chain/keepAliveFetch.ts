// The fetch every JSON-RPC call of the gateway goes through (the chain through viem, the
// rollups node through nodeReader.ts): node:http(s) on kept-alive connections.
//
// Why not Node's fetch: undici's fetch builds WHATWG request, header and stream objects for
// every call and spends about 0.6 ms more CPU per call than node:http (1.7 ms more on a
// 256 KiB answer). A fleet's gateway makes 20-30 calls a second per shard (polls, estimates,
// sends, receipts, the node's verdicts), and with two shards that was 18 % of its CPU while
// the machines needed both cores (docs/FLEET.md).
//
// It answers the part of fetch its callers read: ok, status, statusText, headers.get, text(),
// json(), with `body` null (viem then reads text()). Failures look as fetch's do to
// system/health.ts: a connection error rejects with TypeError "fetch failed" (its cause the
// socket error), an aborted call with the signal's reason.

import http from "node:http";
import https from "node:https";

/** Longest answer read, in bytes: a page of 100 outputs of 64 KiB, hex in JSON, is ~13 MiB. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Connections kept open per upstream (the gateway's loops call one upstream a few at a time). */
const MAX_SOCKETS = 16;
/**
 * An idle connection is closed after this long, before servers commonly drop theirs (5 s), so
 * no call goes out on a connection the server is closing. (A server's Keep-Alive hint shortens it.)
 */
const IDLE_MS = 4_000;

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
};

export interface KeepAliveResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  body: null;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

interface Init {
  method?: string;
  headers?: Record<string, string>;
  body?: string | null;
  signal?: AbortSignal | null;
}

export function keepAliveFetch(input: string | URL, init: Init = {}): Promise<KeepAliveResponse> {
  const url = new URL(input);
  const agent = agents[url.protocol as keyof typeof agents];
  if (agent === undefined) return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
  const { signal } = init;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method: init.method ?? "GET", headers: init.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            request.destroy(new TypeError(`fetch failed: the answer is over ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          signal?.removeEventListener("abort", onAbort);
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: res.statusMessage ?? "",
            headers: { get: (name) => headerValue(res.headers[name.toLowerCase()]) },
            body: null,
            text: async () => text,
            json: async () => JSON.parse(text),
          });
        });
        res.on("error", fail);
      },
    );
    function onAbort(): void {
      request.destroy(signal!.reason);
    }
    function fail(error: Error): void {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", fail);
    request.end(init.body ?? undefined);
  });
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}
