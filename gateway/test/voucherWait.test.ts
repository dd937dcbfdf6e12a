// A settlement voucher whose claim vanished (issue 26, point 2): the node lists its epoch as
// accepted, but the chain has no accepted claim that holds it, so executeOutput reverts
// (InvalidOutputsMerkleRoot). The executor does not retry every pass: it waits 5 s, then 10 s,
// … (no call to the chain meanwhile), reports claim_missing in /healthz at once, and executes the
// voucher once the chain accepts a claim, with the node's proof read afresh. The chain is the
// fake of helpers/fakeChain.ts; the executor is driven pass by pass with its clock.

import { applicationAbi } from "@lcore/contracts";
import { type Hex, decodeFunctionData, encodeErrorResult, encodeFunctionResult, toHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeOutput, OutputReader } from "../src/chain/nodeReader.js";
import { VoucherExecutor } from "../src/settlement/voucherExecutor.js";
import { FakeChain, fakeStack } from "./helpers/fakeChain.js";
import { testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const APP = `0x${"a8".repeat(20)}` as Hex;
const ZERO32 = `0x${"00".repeat(32)}` as Hex;

describe("a voucher whose claim vanished", () => {
  it("waits with backoff for a claim the chain accepts, says so in /healthz, then executes", async () => {
    const fake = await fakeStack(cleanups, APP);
    let claimOnChain = false;
    let tries = 0;
    fake.chain.onCall = (_to, data) => {
      const { functionName } = decodeFunctionData({ abi: applicationAbi, data });
      if (functionName === "wasOutputExecuted")
        return encodeFunctionResult({ abi: applicationAbi, functionName, result: false });
      if (functionName !== "executeOutput") throw new Error(`unexpected call ${functionName}`);
      tries++;
      if (!claimOnChain)
        FakeChain.revert(
          encodeErrorResult({ abi: applicationAbi, errorName: "InvalidOutputsMerkleRoot", args: [ZERO32] }),
        );
      return "0x";
    };
    const gw = await testGateway(cleanups, { app: APP });
    const { outbox } = gw.app.gateway;
    const voucher = new Uint8Array([0x23, 0x7a, 0x81, 0x6f, 1, 2, 3, 4]);
    await outbox.write([outbox.settlements.voucherStatement({ period: 7n, voucherIndex: 0, voucher })]);
    let proofReads = 0;
    const output: NodeOutput = {
      index: 0,
      epochIndex: 3,
      raw: toHex(voucher),
      decoded: { type: "Voucher", destination: APP, value: 0n, payload: "0x" },
      siblings: Array.from({ length: 63 }, () => ZERO32),
      executionTxHash: null,
    };
    const reader: OutputReader = {
      outputs: async () => [],
      output: async () => {
        proofReads++;
        return output;
      },
      epochStatus: async () => "CLAIM_ACCEPTED", // the node says so; the chain disagrees
    };
    const executor = new VoucherExecutor(gw.app.gateway, reader, fake.rpc.url, generatePrivateKey());
    const health = async () => (await gw.app.inject({ method: "GET", url: "/healthz" })).json();

    const t0 = Date.now();
    expect(await executor.step(t0)).toBe(0);
    expect(tries).toBe(1);
    const degraded = await health();
    expect(degraded.status).toBe("degraded");
    expect(degraded.reasons).toEqual([
      expect.objectContaining({ code: "claim_missing", message: expect.stringContaining("period 7") }),
    ]);
    // Waiting: no call to the chain or the node at all, pass after pass.
    const calls = fake.rpc.requests;
    for (let t = t0 + 250; t < t0 + 5000; t += 250) expect(await executor.step(t)).toBe(0);
    expect(fake.rpc.requests).toBe(calls);
    expect(tries).toBe(1);
    // Tried again after 5 s (the proof read afresh), then 10 s later.
    const reads = proofReads;
    await executor.step(t0 + 5000);
    expect(tries).toBe(2);
    expect(proofReads).toBe(reads + 1);
    await executor.step(t0 + 14_000);
    expect(tries).toBe(2);
    claimOnChain = true;
    await executor.step(t0 + 15_000);
    expect(tries).toBe(3);
    expect(await executor.step(t0 + 15_250)).toBe(1);
    expect(outbox.settlements.period(7n)?.executedMs).not.toBeNull();
    expect((await health()).status).toBe("ok");
    const metrics = (await gw.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain('lcore_gw_voucher_waits_total{reason="claim"} 2');
  });
});
