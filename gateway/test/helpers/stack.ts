// The whole local stack for a test: the devnet (anvil, the v2.2.0 contracts, lcore's own
// contracts, the host-mode node) running the real dApp process from dapp/dist (built by `pretest`).

import { type LcoreDeployment, afterDeployLcore } from "@lcore/contracts";
import { type Devnet, ANVIL_MNEMONIC, startDevnet } from "@lcore/devnet";
import { fileURLToPath } from "node:url";
import { inputBoxAbi, inputsAbi } from "@lcore/contracts";
import { type Address, type Hex, createPublicClient, decodeFunctionData, http, parseEventLogs } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { GatewayOptions } from "../../src/options.js";
import { Secret } from "../../src/util/secrets.js";
import { type Cleanup, tempDir } from "./tempDir.js";

export const DAPP_MAIN = fileURLToPath(new URL("../../../dapp/dist/main.js", import.meta.url));

export interface TestStack {
  devnet: Devnet<LcoreDeployment>;
  chainId: bigint;
  app: Address;
  inputBox: Address;
  /** Private key of funded anvil account 1 + n (the devnet's node uses account 9). */
  key(n: number): Hex;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  /** Every payload added for the app, in input-index order, with its sender. */
  inputs(): Promise<{ index: number; payload: Hex; sender: Address }[]>;
  /** A gateway on this stack: submitting from key(submitter), following the node's JSON-RPC; fast test timings. */
  gatewayOptions(submitter: number, timing?: GatewayTiming): Partial<GatewayOptions>;
}

export interface GatewayTiming {
  /** Submitter poll (default 100 ms), batcher delay (300 ms), follower poll (200 ms). */
  pollMs?: number;
  maxDelayMs?: number;
  followMs?: number;
}

export async function startTestStack(
  cleanups: Cleanup[],
  opts: { epochLength?: number; blockTime?: number } = {},
): Promise<TestStack> {
  const devnet = await startDevnet({
    stateDir: tempDir(cleanups),
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    epochLength: opts.epochLength ?? 4,
    blockTime: opts.blockTime ?? 1,
    dapp: [process.execPath, DAPP_MAIN],
    log: () => {},
    afterDeploy: afterDeployLcore,
  });
  cleanups.push(() => devnet.stop());
  const client = createPublicClient({ transport: http(devnet.chainRpcUrl) });
  let id = 0;
  const stack: TestStack = {
    devnet,
    chainId: BigInt(devnet.deployment.chainId),
    app: devnet.application,
    inputBox: devnet.inputBox,
    key(n) {
      if (n < 0 || n > 7) throw new RangeError("anvil accounts 1..8 are free for tests");
      const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 + n }).getHdKey().privateKey;
      if (key === null) throw new Error("no key");
      return `0x${Buffer.from(key).toString("hex")}`;
    },
    async rpc(method, params = []) {
      const res = await fetch(devnet.chainRpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
      });
      const body = (await res.json()) as { result?: unknown; error?: { message: string } };
      if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
      return body.result;
    },
    gatewayOptions(submitter, timing = {}) {
      return {
        app: devnet.application,
        chainId: BigInt(devnet.deployment.chainId),
        submitterKey: new Secret(stack.key(submitter)),
        chain: { rpcUrl: devnet.chainRpcUrl, inputBox: devnet.inputBox, pollMs: timing.pollMs ?? 100 },
        batcher: { maxDelayMs: timing.maxDelayMs ?? 300 },
        follower: { kind: "jsonrpc", url: devnet.jsonRpcUrl, pollMs: timing.followMs ?? 200 },
      };
    },
    async inputs() {
      const logs = await client.getLogs({ address: devnet.inputBox, fromBlock: 0n, toBlock: "latest" });
      return parseEventLogs({ abi: inputBoxAbi, logs, eventName: "InputAdded" })
        .filter((l) => l.args.appContract.toLowerCase() === devnet.application.toLowerCase())
        .map((l) => {
          const { args } = decodeFunctionData({ abi: inputsAbi, data: l.args.input });
          return { index: Number(l.args.index), payload: args[7], sender: args[2] };
        })
        .sort((a, b) => a.index - b.index);
    },
  };
  return stack;
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  ms = 60_000,
  what = "condition",
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
