// The whole local stack started exactly as `npm start` starts it (scripts/stack.mjs), on free
// ports: simulated devices send signed readings through the gateway, the dApp accepts them in
// notices that GraphQL serves, and stopping the stack leaves no process behind.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, ROOT, startStack } from "../scripts/stack.mjs";

const run = promisify(execFile);
const stateDir = mkdtempSync(join(tmpdir(), "lcore-stack-"));
let running: { stack: Record<string, string>; stop(): Promise<void> } | undefined;

beforeAll(async () => {
  running = await startStack({
    stateDir,
    apiPort: 0,
    rollupPort: 0,
    anvilPort: 0,
    gatewayPort: 0,
    onLog: () => {}, // the components' logs; keep the test output readable
  });
});
afterAll(async () => {
  await running?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the local stack as npm start runs it", () => {
  it("writes .lcore/stack.json with every URL and address", () => {
    const stack = JSON.parse(readFileSync(join(stateDir, "stack.json"), "utf8"));
    expect(stack).toEqual(running!.stack);
    for (const key of ["chainRpcUrl", "rollupHttpUrl", "jsonRpcUrl", "graphqlUrl", "inspectUrl", "gatewayUrl"]) {
      expect(stack[key], key).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    }
    for (const key of ["application", "inputBox", "authority", "settlement", "testToken"]) {
      expect(stack[key], key).toMatch(/^0x[0-9a-fA-F]{40}$/);
    }
  });

  it("carries simulated devices' readings to accepted notices served over GraphQL", async () => {
    const { stack } = running!;
    const { stdout } = await run(
      process.execPath,
      [
        "gateway/dist/sim/cli.js",
        "--gateway",
        stack.gatewayUrl!,
        "--token",
        DEV_SECRETS.ownerToken,
        "--devices",
        "3",
        "--rate",
        "6",
        "--duration",
        "2",
        "--follow",
        "60",
        "--json",
      ],
      { cwd: ROOT, timeout: 90_000 },
    );
    const summary = JSON.parse(stdout);
    expect(summary.sent).toBeGreaterThanOrEqual(10);
    expect(summary.accepted).toBe(summary.sent);
    expect(summary.onChain).toEqual({ accepted: summary.sent, rejected: {} });

    const response = await fetch(stack.graphqlUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ notices { totalCount edges { node { input { status } } } } }" }),
    });
    const { data } = (await response.json()) as {
      data: { notices: { totalCount: number; edges: { node: { input: { status: string } } }[] } };
    };
    // One notice per registration (3) and at least one per record batch.
    expect(data.notices.totalCount).toBeGreaterThanOrEqual(4);
    expect(data.notices.edges.every((e) => e.node.input.status === "ACCEPTED")).toBe(true);
  });

  it("stops every process it started", async () => {
    const { stack } = running!;
    await running!.stop();
    running = undefined;
    // The gateway and the node's APIs are gone, and so is every process that names the state directory (devnet, anvil).
    await expect(fetch(`${stack.gatewayUrl}/metrics`)).rejects.toThrow();
    await expect(fetch(stack.graphqlUrl!, { method: "POST" })).rejects.toThrow();
    const { stdout } = await run("ps", ["-eo", "args"]);
    expect(stdout.split("\n").filter((line) => line.includes(stateDir))).toEqual([]);
    expect(existsSync(join(stateDir, "devnet", "deployment.json"))).toBe(true);
  });
});
