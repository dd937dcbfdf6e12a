// The devnet attached to a chain it did not start (--rpc-url with a funded key), restarted on
// the same state directory: a dApp that no longer reproduces the recorded outputs is refused,
// a state directory of another rollup is refused, and a dApp started elsewhere is driven too;
// the afterDeploy hook runs there too, told the chain is not its own.

import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  type AfterDeployContext,
  ANVIL_MNEMONIC,
  applicationAbi,
  authorityAbi,
  DappExitedError,
  DivergenceError,
  InvalidArgumentError,
  inputBoxAbi,
  spawnDapp,
  startAnvil,
  startDevnet,
  StateMismatchError,
  type Anvil,
  type DevnetOptions,
} from "@lcore/devnet";
import { chainClients, ECHO_DAPP, rpcResult, tempDir, waitFor } from "./helpers.js";

const owner = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 8 });
const privateKey = bytesToHex(owner.getHdKey().privateKey!);
const marker = `attach-marker-${process.pid}-${Date.now()}`;
let anvil: Anvil;
const dir = tempDir("attach");

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 0.5 });
});
afterAll(async () => {
  await anvil?.stop();
  dir.remove();
});

const options = (extra: Partial<DevnetOptions> = {}): DevnetOptions => ({
  rpcUrl: anvil.url,
  privateKey,
  stateDir: dir.path,
  epochLength: 3,
  port: 0,
  rollupHttpPort: 0,
  dapp: [process.execPath, ECHO_DAPP, marker],
  pollIntervalMs: 50,
  log: () => {},
  ...extra,
});

const dappProcesses = () =>
  execFileSync("ps", ["-eo", "args"])
    .toString()
    .split("\n")
    .filter((l) => l.includes(marker) && !l.includes("ps -eo"));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("startDevnet attached to an existing chain", () => {
  it("deploys with the given key, survives restarts, and refuses a diverging dApp or a foreign state directory", async () => {
    const devnet = await startDevnet(options());
    const { pub, wallet } = chainClients(anvil.url);
    expect(await pub.readContract({ address: devnet.application, abi: applicationAbi, functionName: "owner" })).toBe(
      owner.address,
    );
    expect(await pub.readContract({ address: devnet.authority, abi: authorityAbi, functionName: "owner" })).toBe(
      owner.address,
    );
    for (const payload of ["0x01", "0xff"] as const) {
      const hash = await wallet(4).writeContract({
        address: devnet.inputBox,
        abi: inputBoxAbi,
        functionName: "addInput",
        args: [devnet.application, payload],
      });
      await pub.waitForTransactionReceipt({ hash });
    }
    // Both inputs processed, then every epoch claimed: the two inputs may fall in two epochs,
    // and the second epoch is not listed before the node has read its input.
    const bothClaimed = async (url: string) => {
      if (parseInt((await rpcResult(url, "cartesi_getProcessedInputCount", ["app"])).data, 16) !== 2) return false;
      const epochs = (await rpcResult(url, "cartesi_listEpochs", ["app"])).data as { status: string }[];
      return epochs.every((e) => e.status === "CLAIM_ACCEPTED");
    };
    await waitFor("both inputs claimed", () => bothClaimed(devnet.jsonRpcUrl), 30_000);
    await devnet.stop();
    expect(await pub.getBlockNumber()).toBeGreaterThan(0n); // the chain it attached to is still up
    expect(dappProcesses()).toEqual([]);

    // The same dApp with another voucher value no longer reproduces the recorded outputs.
    const diverging = await startDevnet(options({ dappEnv: { ECHO_VOUCHER_VALUE: "7" } })).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(diverging).toBeInstanceOf(DivergenceError);
    expect((diverging as DivergenceError).inputIndex).toBe(0);
    expect((diverging as Error).message).toMatch(/replay diverged at input 0: output 1 of the input is/);
    expect(dappProcesses()).toEqual([]);

    // Another epoch length is another Authority and Application: not this state directory's rollup.
    await expect(startDevnet(options({ epochLength: 5 }))).rejects.toBeInstanceOf(StateMismatchError);

    // A dApp started elsewhere, on a port known in advance, replays and continues.
    const port = await freePort();
    const external = spawnDapp([process.execPath, ECHO_DAPP, marker], { rollupHttpUrl: `http://127.0.0.1:${port}` });
    const { dapp: _, ...withoutDapp } = options({ rollupHttpPort: port });
    const again = await startDevnet(withoutDapp);
    expect(parseInt((await rpcResult(again.jsonRpcUrl, "cartesi_getProcessedInputCount", ["app"])).data, 16)).toBe(2);
    const hash = await wallet(4).writeContract({
      address: again.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [again.application, "0x03"],
    });
    await pub.waitForTransactionReceipt({ hash });
    await waitFor(
      "the third input",
      async () =>
        parseInt((await rpcResult(again.jsonRpcUrl, "cartesi_getProcessedInputCount", ["app"])).data, 16) === 3,
      30_000,
    );
    const inputs = await rpcResult(again.jsonRpcUrl, "cartesi_listInputs", { application: "app" });
    expect(inputs.data.map((i: { status: string }) => i.status)).toEqual(["ACCEPTED", "REJECTED", "ACCEPTED"]);
    await external.stop(); // first: closing its server under a pending /finish would crash it
    await again.stop();
    expect(dappProcesses()).toEqual([]);
  });

  it("reports a dApp that dies through `failed`", async () => {
    const other = tempDir("attach-exit");
    try {
      const devnet = await startDevnet(
        options({
          stateDir: other.path,
          salt: `0x${"01".repeat(32)}`,
          dapp: [process.execPath, "-e", `setTimeout(() => process.exit(3), 300) // ${marker}`],
        }),
      );
      const reason = await devnet.failed;
      expect(reason).toBeInstanceOf(DappExitedError);
      expect(reason.message).toMatch(/code 3/);
      await devnet.stop();
    } finally {
      other.remove();
    }
  });

  it("runs the afterDeploy hook on a chain it did not start, and refuses a result that would overwrite the rollup's keys", async () => {
    const other = tempDir("attach-hook");
    try {
      const seen: AfterDeployContext[] = [];
      const started = startDevnet(
        options({
          stateDir: other.path,
          afterDeploy: async (ctx) => {
            seen.push(ctx);
            return { application: "0x0000000000000000000000000000000000000001" };
          },
        }),
      );
      await expect(started).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(started).rejects.toThrow(/afterDeploy returned "application"/);
      expect(seen.map((c) => [c.ownAnvil, c.clients.account.address, c.deployment.epochLength])).toEqual([
        [false, owner.address, 3],
      ]);
      expect(dappProcesses()).toEqual([]);
    } finally {
      other.remove();
    }
  });
});
