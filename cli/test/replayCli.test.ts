// `lcore replay` as a validator runs it (the built dist/lcore.js) against a real anvil and the
// echo dApp: a dApp that differs from the deployed one is caught at the first differing output,
// exit 1; the deployed one replays cleanly, exit 0, with no state hash to check (the echo dApp
// does not answer lcore's state-hash inspect) and no records.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Devnet } from "@lcore/devnet";
import { ECHO, ECHO_ALTERED, editedNode, startEchoChain, type TempDir } from "../../devnet/test/helpers.js";

const CLI = fileURLToPath(new URL("../dist/lcore.js", import.meta.url));
const INPUTS = 4;

let devnet: Devnet;
let dir: TempDir;

beforeAll(async () => {
  ({ devnet, dir } = await startEchoChain("replay-cli", INPUTS));
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

/** Run `lcore replay ARGS`; its exit code and stdout. */
async function lcoreReplay(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [CLI, "replay", "--rpc", devnet.chainRpcUrl, "--application", devnet.application, ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, out };
}

describe("lcore replay", () => {
  it("catches a dApp that differs from the deployed one at the first differing output, exit 1", async () => {
    const { code, out } = await lcoreReplay(["--dapp", ECHO_ALTERED.join(" "), "--node", devnet.jsonRpcUrl]);
    expect(code).toBe(1);
    expect(out).toContain("divergence at input 2, output 4");
    expect(out.split("\n")[0]).toMatch(/^divergence at input 2, output 4: output bytes/);
  });

  it("names an epoch the node lists as accepted and the chain has no claim for, exit 1", async () => {
    const node = await editedNode(devnet.jsonRpcUrl, (method, params, result) => {
      if (method !== "cartesi_listEpochs" || params.status !== "CLAIM_ACCEPTED") return result;
      const extra = { ...result.data.at(-1), index: "0x63", first_block: "0x18c", last_block: "0x18f" };
      return {
        data: [...result.data, extra],
        pagination: { ...result.pagination, total_count: result.data.length + 1 },
      };
    });
    try {
      const { code, out } = await lcoreReplay(["--dapp", ECHO.join(" "), "--node", node.url]);
      expect(code).toBe(1);
      expect(out.split("\n")[0]).toMatch(
        /^divergence at epoch 99 \(input 3\): claim of blocks 396-399, accepted on the node, vs the chain's ClaimAccepted events$/,
      );
      expect(out).toMatch(
        /^DIVERGED: 4 inputs, .* 8 node outputs checked, 0 records, .* s, [2-9]\d* node claims checked$/m,
      );
    } finally {
      await node.close();
    }
  });

  it("replays the deployed dApp cleanly, exit 0", async () => {
    const { code, out } = await lcoreReplay(["--dapp", ECHO.join(" ")]);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^ok: 4 inputs, 8 outputs, [1-9]\d* claims checked, 0 state hashes checked, 0 records, .* records\/s/,
    );
  });

  it("answers --help and refuses bad usage, exit 2", async () => {
    const help = spawn(process.execPath, [CLI, "replay", "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    help.stderr.on("data", (d) => (err += d));
    expect(await new Promise((resolve) => help.once("exit", resolve))).toBe(0);
    expect(err).toMatch(/^usage: lcore replay --rpc URL --application ADDRESS/);
    expect((await lcoreReplay(["--from-block", "x"])).code).toBe(2);
    const unknown = spawn(process.execPath, [CLI, "nothing"], { stdio: "ignore" });
    expect(await new Promise((resolve) => unknown.once("exit", resolve))).toBe(2);
  });
});
