// A stand-in for the legacy lcore MVP node: POST /device/data {device_id, data} answers
// 201, or 400 for a device_id in `refuse` (unknown to it), 500 for one in `fail`; in
// mode "down" it drops every connection unanswered. Stopped after the test.
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "./tempDir.js";

export interface LegacyNode {
  url: string;
  /** Raw bodies of the requests it accepted, in arrival order. */
  accepted: string[];
  /** Requests seen per device_id, whatever the answer (dropped connections under "" ). */
  hits: Map<string, number>;
  refuse: Set<string>;
  fail: Set<string>;
  mode: "up" | "down";
}

export async function legacyNode(cleanups: Cleanup[]): Promise<LegacyNode> {
  const node: LegacyNode = { url: "", accepted: [], hits: new Map(), refuse: new Set(), fail: new Set(), mode: "up" };
  const hit = (id: string) => node.hits.set(id, (node.hits.get(id) ?? 0) + 1);
  const server: Server = createServer((req, res) => {
    if (node.mode === "down") {
      hit("");
      req.socket.destroy();
      return;
    }
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/device/data") return void res.writeHead(404).end();
      const body = JSON.parse(text) as { device_id: string; data: unknown };
      hit(body.device_id);
      if (node.fail.has(body.device_id)) return void res.writeHead(500).end();
      if (node.refuse.has(body.device_id)) {
        return void res.writeHead(400, { "content-type": "application/json" }).end('{"error":"device not registered"}');
      }
      node.accepted.push(text);
      res.writeHead(201, { "content-type": "application/json" }).end('{"status":"stored"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return node;
}
