// Period settlement through the gateway on the devnet (PROTOCOL §9): readings accepted in
// one period; chain time moves to the next; the gateway's tick timer sends a tick, the
// dApp settles the period (voucher + 0x90 notice), the gateway executes the voucher once
// the epoch's claim is accepted; the readings report `settled` and their inclusion
// proofs verify against LcoreSettlement on chain — and a tampered one does not.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNotice } from "@lcore/protocol/notices";
import { SETTLEMENT_PERIOD_SECONDS, settlementAddress } from "@lcore/protocol/settlement";
import { type Hex, createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { lcoreSettlementAbi } from "@lcore/contracts";
import { Secret } from "../src/util/secrets.js";
import { type TestGateway, auth, testGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
const EXECUTOR = 6;

beforeAll(async () => {
  stack = await startTestStack(cleanups, { epochLength: 4, blockTime: 1 });
  gw = await testGateway(cleanups, {
    ...stack.gatewayOptions(5, { maxDelayMs: 100, followMs: 100 }),
    settlement: { tickMs: 200, executorKey: new Secret(stack.key(EXECUTOR)), pollMs: 200 },
  });
});
afterAll(() => runCleanups(cleanups));

async function latestTimestamp(): Promise<bigint> {
  const block = (await stack.rpc("eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex };
  return BigInt(block.timestamp);
}

/** Moves chain time forward by `seconds` and mines a block at the new time. */
async function jump(seconds: bigint): Promise<void> {
  await stack.rpc("evm_increaseTime", [Number(seconds)]);
  await stack.rpc("evm_mine");
}

const ticks = () =>
  gw.app.gateway.outbox.db.prepare("SELECT input_index, node_status, reason FROM inputs WHERE kind = 'tick'").all();

describe("period settlement through the gateway", () => {
  it("ticks once the period is over, executes the settlement voucher, and serves proofs that verify on chain", async () => {
    const client = createPublicClient({ transport: http(stack.devnet.chainRpcUrl) });
    const settlement = toHex(settlementAddress(fromHex(stack.app)));

    // Start at the beginning of a fresh period, so the readings below share one period
    // whatever the wall clock says.
    const now = await latestTimestamp();
    await jump((now / SETTLEMENT_PERIOD_SECONDS + 1n) * SETTLEMENT_PERIOD_SECONDS + 5n - now);
    const period = (await latestTimestamp()) / SETTLEMENT_PERIOD_SECONDS;

    const device = await gw.device();
    const sent = await gw.app.inject({
      method: "POST",
      url: "/v1/readings/batch",
      payload: { readings: [1n, 2n, 3n].map((v) => device.reading({ value: v })) },
    });
    expect(sent.statusCode).toBe(202);
    const early = await gw.app.inject({ method: "GET", url: `/v1/readings/${device.hex}/1/proof` });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe("LCORE_GW_READING_NOT_ACCEPTED");

    const status = (seq: number) =>
      gw.app.inject({ method: "GET", url: `/v1/readings/${device.hex}/${seq}` }).then((r) => r.json());
    for (const seq of [1, 2, 3]) {
      await eventually(
        async () => ((await status(seq)).status === "accepted" ? true : undefined),
        60_000,
        `reading ${seq} accepted`,
      );
    }
    // Accepted, but the period is still open: no proof yet, and no tick while the chain is in it.
    const open = await gw.app.inject({ method: "GET", url: `/v1/readings/${device.hex}/1/proof` });
    expect(open.statusCode).toBe(409);
    expect(open.json().code).toBe("LCORE_GW_READING_NOT_SETTLED");
    expect((await latestTimestamp()) / SETTLEMENT_PERIOD_SECONDS).toBe(period);
    expect(ticks()).toEqual([]);

    await jump(SETTLEMENT_PERIOD_SECONDS);
    const settled = await eventually(
      async () => {
        const s = await status(1);
        return s.status === "settled" ? s : undefined;
      },
      90_000,
      "reading 1 settled",
    );
    expect(settled.period).toBe(period.toString());
    expect(settled.settlementTxHash).toMatch(/^0x[0-9a-f]{64}$/);
    for (const seq of [2, 3]) expect((await status(seq)).status).toBe("settled");
    const records = (
      await gw.app.inject({ method: "GET", url: `/v1/devices/${device.hex}/records`, headers: auth })
    ).json().records as { status: string }[];
    expect(records.map((r) => r.status)).toEqual(["settled", "settled", "settled"]);

    // One tick, and it is what settled the period.
    expect(ticks()).toEqual([expect.objectContaining({ node_status: "ACCEPTED", reason: null })]);
    // The voucher was executed by the executor account, not the submitter.
    const receipt = await client.getTransactionReceipt({ hash: settled.settlementTxHash });
    expect(receipt.status).toBe("success");
    expect(receipt.from.toLowerCase()).toBe(privateKeyToAccount(stack.key(EXECUTOR)).address.toLowerCase());

    // LcoreSettlement holds exactly what the dApp's notice says.
    const outputs = (await (
      await fetch(stack.devnet.jsonRpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "cartesi_listOutputs",
          params: { application: stack.app, limit: 1000 },
        }),
      })
    ).json()) as { result: { data: { decoded_data: { type: string; payload: Hex } | null }[] } };
    const notices = outputs.result.data
      .filter((o) => o.decoded_data?.type === "Notice")
      .map((o) => decodeNotice(fromHex(o.decoded_data!.payload)))
      .filter((n) => n.kind === "period_settled");
    expect(notices).toHaveLength(1);
    const notice = notices[0]!;
    expect(notice).toMatchObject({ period, recordCount: 3n, firstRecord: 1n });
    const onChain = await client.readContract({
      address: settlement,
      abi: lcoreSettlementAbi,
      functionName: "settlement",
      args: [period],
    });
    expect(onChain).toEqual({
      recordsRoot: toHex(notice.recordsRoot),
      recordCount: 3n,
      stateHash: toHex(notice.stateHash),
      devicesRoot: toHex(notice.devicesRoot),
      deviceCount: 1n,
    });

    const indices: number[] = [];
    for (const seq of [1, 2, 3]) {
      const res = await gw.app.inject({ method: "GET", url: `/v1/readings/${device.hex}/${seq}/proof` });
      expect(res.statusCode).toBe(200);
      const p = res.json() as {
        period: string;
        recordHash: Hex;
        index: number;
        proof: Hex[];
        recordsRoot: Hex;
        recordCount: string;
        settlementAddress: Hex;
        verifiedOnChain: boolean;
      };
      expect(p).toMatchObject({
        period: period.toString(),
        recordsRoot: toHex(notice.recordsRoot),
        recordCount: "3",
        settlementAddress: settlement,
        verifiedOnChain: true,
      });
      expect(p.proof).toHaveLength(2); // ceil(log2(3))
      indices.push(p.index);
      const verify = (hash: Hex, index: number, proof: Hex[]) =>
        client.readContract({
          address: settlement,
          abi: lcoreSettlementAbi,
          functionName: "verifyRecord",
          args: [period, hash, BigInt(index), proof],
        });
      expect(await verify(p.recordHash, p.index, p.proof)).toBe(true);
      const flipped = fromHex(p.proof[0]!);
      flipped[31] = flipped[31]! ^ 1;
      expect(await verify(p.recordHash, p.index, [toHex(flipped), p.proof[1]!])).toBe(false);
      expect(await verify(p.recordHash, (p.index + 1) % 3, p.proof)).toBe(false);
    }
    expect(indices).toEqual([0, 1, 2]); // one batch: the records in seq order

    // A second gateway with no executor key only watches: reading the node from output 0,
    // it finds the same period and records the execution the node saw.
    const watcher = await testGateway(cleanups, {
      app: stack.app,
      chainId: stack.chainId,
      submitterKey: new Secret(stack.key(7)),
      chain: { rpcUrl: stack.devnet.chainRpcUrl, inputBox: stack.inputBox, pollMs: 100 },
      follower: { kind: "jsonrpc", url: stack.devnet.jsonRpcUrl, pollMs: 100 },
      settlement: { pollMs: 100 },
    });
    const seen = await eventually(
      () => {
        const p = watcher.app.gateway.outbox.settlements.period(period);
        return p?.executedMs === null ? undefined : p;
      },
      30_000,
      "the watcher to see the execution",
    );
    expect(seen).toMatchObject({
      recordsRoot: notice.recordsRoot,
      recordCount: 3n,
      firstRecord: 1n,
      executedTx: fromHex(settled.settlementTxHash),
    });
  });
});
