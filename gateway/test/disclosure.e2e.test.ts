// Selective disclosure end to end on the devnet (PROTOCOL §10): a device's readings of
// two disclosure periods P and P+1 (with an hour of chain time between them); the owner
// discloses P through POST /v1/disclosures; the dApp's 0x91 notice aggregates exactly
// P's readings and its voucher calls LcoreSettlement.recordAggregate, which the gateway's
// executor executes, so the aggregate is recorded on chain. P's key, public now, then
// opens nothing else: sent straight to the InputBox for P+1 by the owner's own account it
// is rejected (bad_period_key), and P+1's own disclosure still succeeds. Every output the
// node serves over GraphQL decodes with `decode`. Today can be disclosed once the chain's
// clock is past it (the local stack's way to try a disclosure without waiting a day).

import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { decodeInput } from "@lcore/protocol/input";
import { inputBoxAbi, lcoreSettlementAbi } from "@lcore/contracts";
import {
  type Hex,
  createPublicClient,
  createWalletClient,
  decodeFunctionData,
  defineChain,
  http,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { decodeHex } from "@lcore/protocol/decode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type GatewayApp } from "../src/app.js";
import { JsonRpcNodeReader, type NodeInput } from "../src/chain/nodeReader.js";
import { SimDevice } from "../src/sim/device.js";
import { Secret } from "../src/util/secrets.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
/** Two whole days before today: both over on the gateway's clock, so both may be disclosed. */
const P = Math.floor(Date.now() / 1000 / DAY) - 2;
const VALUES_P = [12n, -7n, 30n, 5n];
const VALUES_NEXT = [100n, 200n];
/** The executor's account: not the submitter's (4), whose nonces the submitter owns. */
const EXECUTOR = 6;

const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
let reader: JsonRpcNodeReader;
afterAll(() => runCleanups(cleanups));

beforeAll(async () => {
  stack = await startTestStack(cleanups);
  gw = await testGateway(cleanups, {
    ...stack.gatewayOptions(4, { maxDelayMs: 200 }),
    // An executor: the aggregate voucher is executed as the settlement vouchers are.
    settlement: { tickMs: 500, executorKey: new Secret(stack.key(EXECUTOR)), pollMs: 200 },
  });
  await gw.app.ready();
  reader = new JsonRpcNodeReader(stack.devnet.jsonRpcUrl, stack.app);
});

async function send(app: GatewayApp, d: SimDevice, period: number, values: bigint[]): Promise<string[]> {
  const urls: string[] = [];
  for (const [i, value] of values.entries()) {
    const res = await app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: d.reading({ value, timestamp: period * DAY + 600 * i }),
    });
    expect(res.statusCode).toBe(202);
    urls.push(res.json().statusUrl);
  }
  return urls;
}

/** Polls a status url until the dApp's verdict is known. */
const settled = (app: GatewayApp, url: string, headers = {}) =>
  eventually(
    async () => {
      const body = (await app.inject({ method: "GET", url, headers })).json();
      return body.status === "accepted" || body.status === "rejected" ? body : undefined;
    },
    60_000,
    url,
  );

async function disclose(app: GatewayApp, d: SimDevice, period: number, aggregateVoucher: boolean) {
  const res = await app.inject({
    method: "POST",
    url: "/v1/disclosures",
    headers: auth,
    payload: { device: d.hex, period, aggregateVoucher },
  });
  expect(res.statusCode, res.body).toBe(202);
  return settled(app, res.json().statusUrl, auth);
}

/** The node's vouchers for one input. */
async function vouchers(inputIndex: number): Promise<{ destination: string; payload: Hex }[]> {
  const res = await fetch(stack.devnet.jsonRpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "cartesi_listOutputs",
      params: { application: stack.app, input_index: `0x${inputIndex.toString(16)}`, limit: 100 },
    }),
  });
  const { result } = (await res.json()) as {
    result: { data: { decoded_data: { type: string; destination: string; payload: Hex } | null }[] };
  };
  return result.data.filter((o) => o.decoded_data?.type === "Voucher").map((o) => o.decoded_data!);
}

const reasonOf = (node: NodeInput) =>
  node.reports
    .map((r) => {
      try {
        return JSON.parse(Buffer.from(r.payload.slice(2), "hex").toString("utf8"));
      } catch {
        return {};
      }
    })
    .find((b) => b.type === "rejected")?.reason;

describe("selective disclosure on the devnet", () => {
  it("discloses exactly one device-period; its key opens no other period", async () => {
    const d = await gw.device();
    const inP = await send(gw.app, d, P, VALUES_P);
    // An hour of chain time: a new settlement period (§9) on chain, the disclosure period (§1) comes from device time.
    await stack.rpc("evm_increaseTime", [3600]);
    await stack.rpc("evm_mine");
    const inNext = await send(gw.app, d, P + 1, VALUES_NEXT);
    for (const url of [...inP, ...inNext]) expect((await settled(gw.app, url)).status).toBe("accepted");

    // Disclose P with the aggregate voucher.
    const p = await disclose(gw.app, d, P, true);
    const sum = VALUES_P.reduce((a, b) => a + b, 0n);
    expect(p).toMatchObject({
      status: "accepted",
      device: d.hex,
      period: P,
      aggregateVoucher: true,
      aggregate: { count: "4", sum: sum.toString(), min: "-7", max: "30" },
    });
    // The node's own notice says the same (the gateway only relays it).
    const node = (await reader.input(p.inputIndex))!;
    expect(node.status).toBe("ACCEPTED");
    expect(node.notices.map((n) => n.index)).toEqual([p.noticeIndex]);
    const [voucher] = await vouchers(p.inputIndex);
    expect(voucher?.destination.toLowerCase()).toBe(stack.devnet.deployment.lcore.settlement.toLowerCase());
    const call = decodeFunctionData({ abi: lcoreSettlementAbi, data: voucher!.payload });
    expect(call.functionName).toBe("recordAggregate");
    expect(call.args).toEqual([
      expect.stringMatching(new RegExp(`^${d.hex}$`, "i")),
      BigInt(P),
      4n,
      sum,
      -7n,
      30n,
      p.aggregate.stateHash,
    ]);

    // The gateway executes the aggregate voucher once its epoch's claim is accepted: the aggregate is on chain.
    const executed = await eventually(
      async () => {
        const body = (await gw.app.inject({ method: "GET", url: `/v1/disclosures/${p.id}`, headers: auth })).json();
        return body.aggregateOnChain?.executed === true ? body : undefined;
      },
      120_000,
      "the aggregate voucher executed",
    );
    expect(executed.aggregateOnChain.executedTx).toMatch(/^0x[0-9a-f]{64}$/);
    const chainClient = createPublicClient({ transport: http(stack.devnet.chainRpcUrl) });
    const recorded = await chainClient.readContract({
      address: stack.devnet.deployment.lcore.settlement,
      abi: lcoreSettlementAbi,
      functionName: "aggregate",
      args: [d.hex, BigInt(P)],
    });
    expect(recorded).toMatchObject({ count: 4n, sum, min: -7n, max: 30n, stateHash: p.aggregate.stateHash });

    // P's key is public now: read it from the chain, as anyone can.
    const onChain = (await stack.inputs()).find((i) => i.index === p.inputIndex)!;
    const disclosed = decodeInput(Buffer.from(onChain.payload.slice(2), "hex"));
    if (disclosed.kind !== "key_disclosure") throw new Error(`input ${p.inputIndex} is ${disclosed.kind}`);

    // Send it for P+1 straight to the InputBox, from the devices' owner (the gateway's
    // account). The gateway is stopped first: it owns that account's nonces while it runs.
    await eventually(
      () =>
        (gw.app.gateway.outbox.inputs.countUnincluded() === 0 &&
          gw.app.gateway.outbox.inputs.unprocessed(1).length === 0) ||
        undefined,
    );
    await gw.app.close();
    const account = privateKeyToAccount(stack.key(4));
    const chain = defineChain({
      id: Number(stack.chainId),
      name: "devnet",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [stack.devnet.chainRpcUrl] } },
    });
    const wallet = createWalletClient({ account, chain, transport: http(stack.devnet.chainRpcUrl) });
    const client = createPublicClient({ chain, transport: http(stack.devnet.chainRpcUrl) });
    const forged = encodeKeyDisclosure({
      device: d.address,
      period: P + 1,
      periodKey: disclosed.periodKey,
      voucher: true,
    });
    const tx = await wallet.writeContract({
      address: stack.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [stack.app, `0x${Buffer.from(forged).toString("hex")}`],
    });
    const receipt = await client.waitForTransactionReceipt({ hash: tx });
    const [added] = parseEventLogs({ abi: inputBoxAbi, logs: receipt.logs, eventName: "InputAdded" });
    const wrong = await eventually(async () => {
      const n = await reader.input(Number(added!.args.index));
      return n === null || n.status === "NONE" ? undefined : n;
    });
    expect(wrong.status).toBe("REJECTED");
    expect(reasonOf(wrong)).toBe("bad_period_key");
    expect(wrong.notices).toEqual([]);
    expect(await vouchers(Number(added!.args.index))).toEqual([]);

    // Nothing changed: the same outbox, a new gateway process, and P+1's own disclosure succeeds.
    const again = await buildApp(gw.options);
    cleanups.push(() => again.close());
    await again.ready();
    const next = await disclose(again, d, P + 1, false);
    expect(next).toMatchObject({
      status: "accepted",
      period: P + 1,
      aggregate: { count: "2", sum: "300", min: "100", max: "200" },
    });
    expect(await vouchers(next.inputIndex)).toEqual([]);
    expect(next.aggregate.stateHash).not.toBe(p.aggregate.stateHash);
    // P stays disclosed once.
    const twice = await again.inject({
      method: "POST",
      url: "/v1/disclosures",
      headers: auth,
      payload: { device: d.hex, period: P },
    });
    expect(twice.json().code).toBe("LCORE_GW_DISCLOSURE_EXISTS");

    // Today can be disclosed once the chain's clock is past it (the gateway goes by the later clock).
    // Today must still be running when the early request goes: in the last minute of a UTC day,
    // start on the next one (the steps below take seconds; the test's timeout is two minutes).
    const left = DAY - (Math.floor(Date.now() / 1000) % DAY);
    if (left < 60) await new Promise((r) => setTimeout(r, (left + 1) * 1000));
    const nowS = Math.floor(Date.now() / 1000);
    const today = Math.floor(nowS / DAY);
    const fresh = SimDevice.random();
    const registered = await again.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: fresh.registration(gw.info),
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const urls: string[] = [];
    for (const [i, value] of [1n, 2n].entries()) {
      const res = await again.inject({
        method: "POST",
        url: "/v1/readings",
        payload: fresh.reading({ value, timestamp: Math.max(today * DAY, nowS - 120) + i }),
      });
      expect(res.statusCode, res.body).toBe(202);
      urls.push(res.json().statusUrl);
    }
    for (const url of urls) expect((await settled(again, url)).status).toBe("accepted");
    const early = await again.inject({
      method: "POST",
      url: "/v1/disclosures",
      headers: auth,
      payload: { device: fresh.hex, period: today },
    });
    expect(early.json().code).toBe("LCORE_GW_PERIOD_NOT_OVER");
    const latest = await createPublicClient({ transport: http(stack.devnet.chainRpcUrl) }).getBlock();
    await stack.rpc("evm_increaseTime", [(today + 1) * DAY - Number(latest.timestamp) + 60]);
    await stack.rpc("evm_mine");
    expect(await disclose(again, fresh, today, false)).toMatchObject({
      status: "accepted",
      aggregate: { count: "2", sum: "3" },
    });

    // Every output the node serves over GraphQL (notices, vouchers, reports) decodes.
    const outputs = await graphqlOutputs();
    expect(outputs.vouchers.length).toBeGreaterThan(0);
    for (const payload of [...outputs.notices, ...outputs.reports])
      expect(() => decodeHex(payload), payload).not.toThrow();
    const calls = outputs.vouchers.map((payload) => decodeHex(payload));
    for (const call of calls) expect(call.type).toBe("voucher_payload");
    expect(calls).toContainEqual(
      expect.objectContaining({ call: expect.objectContaining({ function: "recordAggregate" }) }),
    );
  });
});

/** The payloads of every notice, voucher and report, as GraphQL serves them. */
async function graphqlOutputs(): Promise<{ notices: Hex[]; vouchers: Hex[]; reports: Hex[] }> {
  const query =
    "{ notices { edges { node { payload } } } vouchers { edges { node { payload } } } reports { edges { node { payload } } } }";
  const res = await fetch(stack.devnet.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const { data } = (await res.json()) as {
    data: Record<"notices" | "vouchers" | "reports", { edges: { node: { payload: Hex } }[] }>;
  };
  const payloads = (kind: "notices" | "vouchers" | "reports") => data[kind].edges.map((e) => e.node.payload);
  return { notices: payloads("notices"), vouchers: payloads("vouchers"), reports: payloads("reports") };
}
