// The submit path against the devnet and the real dApp: inputs reach the InputBox once,
// in order, from the gateway's account; stuck transactions are replaced without a
// duplicate; the follower reads the dApp's verdicts over JSON-RPC and over GraphQL.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeInput } from "@lcore/protocol/input";
import { createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { GatewayOptions } from "../src/options.js";
import { Secret } from "../src/util/secrets.js";
import { auth, testGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const stackCleanups: Cleanup[] = [];
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(stackCleanups);
});
afterAll(() => runCleanups(stackCleanups));

function chainOptions(keyIndex: number, extra: Partial<GatewayOptions> = {}): Partial<GatewayOptions> {
  return {
    app: stack.app,
    chainId: stack.chainId,
    submitterKey: new Secret(stack.key(keyIndex)),
    chain: { rpcUrl: stack.devnet.chainRpcUrl, inputBox: stack.inputBox, pollMs: 50 },
    batcher: { maxDelayMs: 100 },
    follower: { kind: "jsonrpc", url: stack.devnet.jsonRpcUrl, pollMs: 100 },
    ...extra,
  };
}

describe("submitter and follower on the devnet", () => {
  it("registers devices on chain once each, in order, and reads the dApp's acceptance", async () => {
    const cleanups: Cleanup[] = [];
    try {
      const gw = await testGateway(cleanups, chainOptions(0));
      await gw.app.ready();
      const before = (await stack.inputs()).length;
      const devices = [await gw.device(), await gw.device(), await gw.device()];
      for (const d of devices) {
        await eventually(
          async () => {
            const res = await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth });
            return res.json().registration.status === "accepted" ? true : undefined;
          },
          60_000,
          `registration of ${d.hex}`,
        );
      }
      const inputs = (await stack.inputs()).slice(before);
      expect(inputs.map((i) => i.sender.toLowerCase())).toEqual(
        devices.map(() => privateKeyToAccount(stack.key(0)).address.toLowerCase()),
      );
      const registered = inputs.map((i) => decodeInput(Buffer.from(i.payload.slice(2), "hex")));
      expect(
        registered.map((r) => (r.kind === "device_registration" ? Buffer.from(r.publicKey).toString("hex") : r.kind)),
      ).toEqual(devices.map((d) => Buffer.from(d.publicKey).toString("hex")));
      const view = (
        await gw.app.inject({ method: "GET", url: `/v1/devices/${devices[0]!.hex}`, headers: auth })
      ).json();
      expect(view.registration).toMatchObject({ status: "accepted", inputIndex: inputs[0]!.index });
      expect(view.registration.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    } finally {
      await runCleanups(cleanups);
    }
  });

  it("replaces a stuck transaction with higher fees and still adds the input once", async () => {
    const cleanups: Cleanup[] = [];
    try {
      const gw = await testGateway(
        cleanups,
        chainOptions(1, {
          chain: { rpcUrl: stack.devnet.chainRpcUrl, inputBox: stack.inputBox, pollMs: 50, replaceAfterMs: 300 },
        }),
      );
      await gw.app.ready();
      const before = (await stack.inputs()).length;
      await stack.rpc("evm_setAutomine", [false]);
      await stack.rpc("evm_setIntervalMining", [0]);
      try {
        const d = await gw.device();
        const state = gw.app.gateway.registry.get(d.hex)!;
        await eventually(
          () => (gw.app.gateway.outbox.inputs.txsOf(state.inputId).length >= 3 ? true : undefined),
          20_000,
          "two replacements",
        );
        const txs = gw.app.gateway.outbox.inputs.txsOf(state.inputId);
        expect(new Set(txs.map((t) => t.nonce)).size).toBe(1);
        expect(txs[1]!.maxFee).toBeGreaterThan(txs[0]!.maxFee);
      } finally {
        await stack.rpc("evm_setAutomine", [true]);
        await stack.rpc("evm_setIntervalMining", [1]);
      }
      await eventually(
        () => (gw.app.gateway.outbox.inputs.countUnincluded() === 0 ? true : undefined),
        30_000,
        "inclusion",
      );
      expect((await stack.inputs()).length).toBe(before + 1);
      const metrics = (await gw.app.inject({ method: "GET", url: "/metrics" })).body;
      expect(metrics).toMatch(/lcore_gw_tx_replacements_total [1-9]/);
    } finally {
      await runCleanups(cleanups);
    }
  });

  it("recovers when another sender spent the account's next nonce: the input is re-signed and lands once", async () => {
    const cleanups: Cleanup[] = [];
    try {
      const gw = await testGateway(cleanups, chainOptions(4));
      await gw.app.ready();
      // Someone else sends from the gateway's account after it read its nonce.
      const account = privateKeyToAccount(stack.key(4));
      const transport = http(stack.devnet.chainRpcUrl);
      const raw = await account.signTransaction({
        type: "eip1559",
        chainId: Number(stack.chainId),
        nonce: 0,
        to: account.address,
        value: 0n,
        gas: 21_000n,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
      });
      const client = createPublicClient({ transport });
      await client.waitForTransactionReceipt({ hash: await client.sendRawTransaction({ serializedTransaction: raw }) });
      const before = (await stack.inputs()).length;
      const d = await gw.device();
      await eventually(
        async () => {
          const res = await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth });
          return res.json().registration.status === "accepted" ? true : undefined;
        },
        60_000,
        "registration after the nonce clash",
      );
      expect((await stack.inputs()).length).toBe(before + 1);
      const txs = gw.app.gateway.outbox.inputs.txsOf(gw.app.gateway.registry.get(d.hex)!.inputId);
      expect(txs.map((t) => t.abandoned)).toEqual([true, false]);
    } finally {
      await runCleanups(cleanups);
    }
  });

  it("follows verdicts over GraphQL too", async () => {
    const cleanups: Cleanup[] = [];
    try {
      const gw = await testGateway(
        cleanups,
        chainOptions(2, { follower: { kind: "graphql", url: stack.devnet.graphqlUrl, pollMs: 100 } }),
      );
      await gw.app.ready();
      const d = await gw.device();
      await eventually(
        async () => {
          const res = await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth });
          return res.json().registration.status === "accepted" ? true : undefined;
        },
        60_000,
        "registration over GraphQL",
      );
    } finally {
      await runCleanups(cleanups);
    }
  });
});
