// lcore-devnet as `npm start` runs it (the built dist/lcoreDevnet.js): cartesi-devnet's command
// with lcore's contracts deployed by the afterDeploy hook, their addresses under `lcore` in
// deployment.json (where scripts/stack.mjs reads LcoreSettlement), the same ready line, a clean
// stop on SIGTERM and its own name in the usage.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { lcoreSettlementAbi } from "@lcore/contracts";
import { chainClients, tempDir, waitFor } from "../../devnet/test/helpers.js";

const CLI = fileURLToPath(new URL("../dist/lcoreDevnet.js", import.meta.url));
const dir = tempDir("lcore-devnet");
afterAll(() => dir.remove());

/** Run lcore-devnet ARGS to its exit; its code, stdout and stderr. */
function run(args: string[]): {
  child: ReturnType<typeof spawn>;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  return { child, out: () => out, err: () => err, exit: new Promise((resolve) => child.once("exit", resolve)) };
}

describe("lcore-devnet", () => {
  it("deploys LcoreSettlement, the MVP anchor and TestToken beside the rollup, under `lcore` in deployment.json", async () => {
    const devnet = run([
      "--state-dir",
      dir.path,
      "--port",
      "0",
      "--rollup-port",
      "0",
      "--anvil-port",
      "0",
      "--epoch-length",
      "4",
    ]);
    try {
      const line = await waitFor(
        "the ready line",
        async () => {
          if (devnet.child.exitCode !== null)
            throw new Error(`lcore-devnet exited ${devnet.child.exitCode}:\n${devnet.err()}`);
          return devnet.out().includes("\n") ? devnet.out().split("\n")[0] : undefined;
        },
        30_000,
        50,
      );
      const ready = JSON.parse(line!) as { ready: boolean; chainRpcUrl: string; application: `0x${string}` };
      expect(ready).toMatchObject({
        ready: true,
        inputBox: "0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac",
        epochLength: 4,
      });
      const deployment = JSON.parse(readFileSync(join(dir.path, "deployment.json"), "utf8"));
      expect(deployment.application).toBe(ready.application);
      expect(Object.keys(deployment.lcore)).toEqual(["settlement", "mvpIoTProcessor", "testToken"]);
      const { pub } = chainClients(ready.chainRpcUrl);
      expect(
        await pub.readContract({
          address: deployment.lcore.settlement,
          abi: lcoreSettlementAbi,
          functionName: "application",
        }),
      ).toBe(ready.application);
      expect(devnet.err()).toMatch(/deploying LcoreSettlement at /);
    } finally {
      devnet.child.kill("SIGTERM");
    }
    expect(await devnet.exit).toBe(0);
  });

  it("answers --help and bad usage with its own name", async () => {
    const help = run(["--help"]);
    expect(await help.exit).toBe(0);
    expect(help.out()).toMatch(/^usage: lcore-devnet \[options\]/);
    expect(help.out()).toContain("lcore's contracts");
    const bad = run(["--epoch-length", "x"]);
    expect(await bad.exit).toBe(2);
    expect(bad.err()).toMatch(/^lcore-devnet: --epoch-length must be a non-negative integer/);
  });
});
