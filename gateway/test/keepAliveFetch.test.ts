// The gateway's fetch for JSON-RPC (chain/keepAliveFetch.ts): it answers what its callers read,
// reuses one connection for calls in sequence, and fails as fetch fails, so the health of an
// upstream (system/health.ts) reads its failures as it read fetch's.

import { once } from "node:events";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ANSWER_BYTES, keepAliveFetch } from "../src/chain/keepAliveFetch.js";
import { isUnreachable } from "../src/system/health.js";

let server: Server;
let url: string;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/slow") return; // never answers
      if (req.url === "/huge") {
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(1 << 20, 0x20);
        for (let sent = 0; sent <= MAX_ANSWER_BYTES; sent += chunk.length) res.write(chunk);
        return res.end();
      }
      const status = req.url === "/teapot" ? 418 : 200;
      res.writeHead(status, { "content-type": "application/json", "x-two": ["a", "b"] });
      res.end(JSON.stringify({ method: req.method, type: req.headers["content-type"], body }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("keepAliveFetch", () => {
  it("answers status, headers, text and JSON, and reuses its connection", async () => {
    const before = sockets.size;
    for (let k = 0; k < 3; k++) {
      const res = await keepAliveFetch(`${url}/rpc`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"k":${k}}`,
      });
      expect(res.ok).toBe(true);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("application/json");
      expect(res.headers.get("x-two")).toBe("a, b");
      expect(res.headers.get("absent")).toBeNull();
      expect(await res.json()).toEqual({ method: "POST", type: "application/json", body: `{"k":${k}}` });
    }
    expect(sockets.size - before).toBe(1);
    const refused = await keepAliveFetch(`${url}/teapot`);
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe(418);
    expect(JSON.parse(await refused.text()).method).toBe("GET");
  });

  it("fails as fetch does: no server, an aborted call, an answer over its bound", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const noServer = await keepAliveFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(noServer).toBeInstanceOf(TypeError);
    expect((noServer as Error).message).toBe("fetch failed");
    expect(isUnreachable(noServer)).toBe(true);

    const timedOut = await keepAliveFetch(`${url}/slow`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect((timedOut as Error).name).toBe("TimeoutError");
    expect(isUnreachable(timedOut)).toBe(true);

    const huge = await keepAliveFetch(`${url}/huge`).catch((e: unknown) => e);
    expect((huge as Error).message).toBe("fetch failed");
    expect(String(((huge as Error).cause as Error).message)).toContain(`over ${MAX_ANSWER_BYTES} bytes`);
  });
});
