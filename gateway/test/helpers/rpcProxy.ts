// A JSON-RPC proxy in front of the chain's node, for a gateway's rpcUrl: forwards every
// request as is, logs each method in arrival order (a test adds its own events to the
// same log to order them against the calls), can hold the next call of a method
// until the test releases it, and can stop answering (`down`: every connection is cut, as
// when the chain's RPC is down). Stopped after the test.
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "./tempDir.js";

export interface Hold {
  /** Resolves when the held call has arrived (it is not forwarded yet). */
  reached: Promise<void>;
  /** Forwards the held call. */
  release(): void;
}

export interface RpcProxy {
  url: string;
  /** Methods called, in arrival order, and whatever the test pushed. */
  log: string[];
  /** Holds the next call of `method`. */
  hold(method: string): Hold;
  /** While true, every request's connection is cut unanswered. */
  down: boolean;
}

export async function rpcProxy(cleanups: Cleanup[], target: string): Promise<RpcProxy> {
  const holds = new Map<string, { arrived: () => void; released: Promise<void> }>();
  const proxy: RpcProxy = {
    url: "",
    log: [],
    down: false,
    hold(method) {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((r) => (arrived = r));
      holds.set(method, { arrived, released: new Promise<void>((r) => (release = r)) });
      return { reached, release };
    },
  };
  const server: Server = createServer((req, res) => {
    if (proxy.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString("utf8")) as { method: string } | { method: string }[];
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
          proxy.log.push(call.method);
          const hold = holds.get(call.method);
          if (hold === undefined) continue;
          holds.delete(call.method);
          hold.arrived();
          await hold.released;
        }
        const answer = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (proxy.down) {
          req.socket.destroy();
          return;
        }
        res
          .writeHead(answer.status, { "content-type": "application/json" })
          .end(Buffer.from(await answer.arrayBuffer()));
      } catch {
        res.writeHead(502).end();
      }
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
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
