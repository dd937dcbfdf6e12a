// The chaos harness's chain: an anvil it owns (not devnet's), so it can kill it with SIGKILL and
// start it again from its saved state on the same port while devnet and the gateway stay
// attached to that URL. State is dumped every second (--state-interval 1): a kill loses up to
// the last second, as a crashed chain would.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { anvilBinaryPath } from "@lcore/devnet";

/**
 * `finalized` trails `latest` by 2 × this many blocks (12), deeper than the deepest reorganisation
 * the harness applies (10), as on a real chain, where finality is what a reorganisation cannot
 * undo. The node reads at `finalized`, so it never claims a block a fault rewrites. (A reorg
 * deeper than finality still rolls the node back, but an Authority keeps the first claim for an
 * epoch: a claim sent over blocks that change afterwards cannot be taken back. devnet/README.md.)
 */
export const SLOTS_IN_AN_EPOCH = 6;

/** A free TCP port on 127.0.0.1 (anvil must come back on the same one after a restart). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** JSON-RPC call; throws on an error answer. */
export async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class ChaosChain {
  constructor({ port, statePath, log }) {
    this.port = port;
    this.statePath = statePath;
    this.url = `http://127.0.0.1:${port}`;
    this.log = log;
    this.child = undefined;
  }

  /** Start anvil (loading statePath when it exists); `timestamp` sets its clock (seconds). */
  async start(timestamp) {
    const args = ["--host", "127.0.0.1", "--port", String(this.port), "--block-time", "1", "--mixed-mining"];
    args.push("--state", this.statePath, "--state-interval", "1", "--slots-in-an-epoch", String(SLOTS_IN_AN_EPOCH));
    if (timestamp !== undefined) args.push("--timestamp", String(timestamp));
    const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", () => {});
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", resolve));
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`anvil exited (${child.exitCode}) on start`);
      try {
        await rpc(this.url, "eth_blockNumber");
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error("anvil did not answer within 20 s");
  }

  /** kill -9: no final state dump, the chain loses what it did since the last one. */
  async kill() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGINT: anvil dumps its state and exits. */
  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGINT");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  async head() {
    const b = await rpc(this.url, "eth_getBlockByNumber", ["latest", false]);
    return { number: Number(b.number), timestamp: Number(b.timestamp) };
  }
}
