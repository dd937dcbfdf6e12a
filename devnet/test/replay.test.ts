// lcore replay against a real anvil and the echo dApp: a clean replay checks the accepted
// claim, a shadow build altered from input 2 on is caught at exactly that input and output,
// and the CLI run with a dApp that differs from the deployed one exits 1 at the first output.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringToHex } from "viem";
import { type Devnet, inputBoxAbi, replay, startDevnet } from "@lcore/devnet";
import { chainClients, ECHO_DAPP, rpcResult, tempDir, waitFor } from "./helpers.js";

const CLI = fileURLToPath(new URL("../dist/replayCli.js", import.meta.url));
const INPUTS = 4;
const ECHO = [process.execPath, ECHO_DAPP];
const ALTERED = ["env", "ECHO_ALTER_FROM=2", process.execPath, ECHO_DAPP];

let devnet: Devnet;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  dir = tempDir("replay");
  devnet = await startDevnet({
    stateDir: dir.path, epochLength: 4, blockTime: 0.5, port: 0, rollupHttpPort: 0, anvilPort: 0,
    dapp: ECHO, pollIntervalMs: 50, log: () => {},
  });
  const clients = chainClients(devnet.chainRpcUrl);
  const sender = clients.wallet(0);
  for (let i = 0; i < INPUTS; i++) {
    const hash = await sender.writeContract({ address: devnet.inputBox, abi: inputBoxAbi, functionName: "addInput", args: [devnet.application, stringToHex(`reading ${i}`)] });
    await clients.pub.waitForTransactionReceipt({ hash });
  }
  await waitFor("every input claimed", async () => {
    const list = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listEpochs", { application: devnet.application, limit: 1000 })).data as { status: string; input_index_upper_bound: string }[];
    return list.length > 0 && parseInt(list.at(-1)!.input_index_upper_bound, 16) === INPUTS && list.every((e) => e.status === "CLAIM_ACCEPTED");
  }, 45_000);
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("lcore replay", () => {
  it("replays cleanly: every output, the accepted claims and the node's outputs agree", async () => {
    const report = await replay({ rpcUrl: devnet.chainRpcUrl, application: devnet.application, dapp: ECHO, nodeUrl: devnet.jsonRpcUrl, progress: () => {} });
    expect(report.divergences).toEqual([]);
    expect(report.inputs).toBe(INPUTS);
    expect(report.outputs).toBe(INPUTS * 2);
    expect(report.claimsChecked).toBeGreaterThanOrEqual(1);
    expect(report.nodeOutputsChecked).toBe(INPUTS * 2);
    // The echo dApp does not answer the state-hash inspect as lcore does: no state hash to check, no records.
    expect([report.stateHashesChecked, report.records]).toEqual([0, 0]);
  });

  it("--shadow reports every divergence of an altered build, from input 2 output 4", async () => {
    const report = await replay({ rpcUrl: devnet.chainRpcUrl, application: devnet.application, dapp: ECHO, shadow: ALTERED, progress: () => {} });
    expect(report.divergences).toEqual([]);
    expect(report.shadowDivergences.map((d) => [d.inputIndex, d.outputIndex])).toEqual([[2, 4], [3, 6]]);
    expect(report.shadowDivergences[0]!.expected).toBe(`0xc258d6e5${"0".repeat(62)}20${"0".repeat(62)}09${stringToHex("reading 2").slice(2)}${"0".repeat(46)}`);
    expect(report.shadowDivergences[0]!.got).toContain(stringToHex("seading 2").slice(2));
  });

  it("the CLI catches a dApp that differs from the deployed one at the first differing output, exit 1", async () => {
    const child = spawn(process.execPath, [CLI, "replay", "--rpc", devnet.chainRpcUrl, "--application", devnet.application, "--dapp", ALTERED.join(" "), "--node", devnet.jsonRpcUrl], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(out).toContain("divergence at input 2, output 4");
    expect(out.split("\n")[0]).toMatch(/^divergence at input 2, output 4: output bytes/);

    const clean = spawn(process.execPath, [CLI, "replay", "--rpc", devnet.chainRpcUrl, "--application", devnet.application, "--dapp", ECHO.join(" ")], { stdio: ["ignore", "pipe", "pipe"] });
    let cleanOut = "";
    clean.stdout.on("data", (d) => (cleanOut += d));
    expect(await new Promise<number | null>((resolve) => clean.once("exit", resolve))).toBe(0);
    expect(cleanOut).toMatch(/^ok: 4 inputs, 8 outputs, [1-9]\d* claims checked, 0 state hashes checked, 0 records, .* records\/s/);
  });
});
