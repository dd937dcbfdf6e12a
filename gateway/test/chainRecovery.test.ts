// The chain takes back what it mined, and the gateway recovers by itself (issue 26, point 2):
// a reorganisation drops mined (and accepted) inputs, a chain restarts from a state seconds old
// with an empty pool, a nonce gap is left where a dropped transaction carried no input of ours.
// Each time every reading answered 202 ends in exactly one accepted record, none twice, with
// no new nonce for any input; a reading whose input vanished is reported `submitted` (never
// silently `accepted`) until it is back, and `final` only once its block is finalized. The
// chain and the node are the fakes of helpers/fakeChain.ts.

import { decodeInput } from "@lcore/protocol/input";
import { decodeNotice } from "@lcore/protocol/notices";
import { type Hex, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import type { SimDevice } from "../src/sim/device.js";
import { Secret } from "../src/util/secrets.js";
import { type FakeStack, fakeStack, until } from "./helpers/fakeChain.js";
import { type TestGateway, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const APP = `0x${"a7".repeat(20)}` as Hex;

async function setup(key: Hex = generatePrivateKey()): Promise<{ gw: TestGateway; fake: FakeStack }> {
  const fake = await fakeStack(cleanups, APP);
  const gw = await testGateway(cleanups, {
    app: APP,
    submitterKey: new Secret(key),
    chain: { rpcUrl: fake.rpc.url, inputBox: fake.chain.inputBox, pollMs: 50, watchMs: 100 },
    batcher: { maxDelayMs: 50 },
    follower: { kind: "jsonrpc", url: fake.nodeRpc.url, pollMs: 50 },
    ...(process.env.GW_DEBUG ? { logger: { level: "debug" } } : {}),
  });
  await gw.app.ready();
  return { gw, fake };
}

/** Posts `n` readings of each device; every one must be answered 202. */
async function post(gw: TestGateway, devices: SimDevice[], n: number): Promise<{ d: SimDevice; seq: bigint }[]> {
  const sent: { d: SimDevice; seq: bigint }[] = [];
  for (let i = 0; i < n; i++) {
    for (const d of devices) {
      const body = d.reading();
      const res = await gw.app.inject({ method: "POST", url: "/v1/readings", payload: body });
      expect(res.statusCode).toBe(202);
      sent.push({ d, seq: BigInt(body.seq) });
    }
  }
  return sent;
}

const status = async (gw: TestGateway, r: { d: SimDevice; seq: bigint }) =>
  (await gw.app.inject({ method: "GET", url: `/v1/readings/${r.d.hex}/${r.seq}` })).json();

async function allStatus(gw: TestGateway, readings: { d: SimDevice; seq: bigint }[], want: string): Promise<void> {
  await until(
    async () => {
      for (const r of readings) if ((await status(gw, r)).status !== want) return undefined;
      return true;
    },
    20_000,
    `every reading ${want}`,
  );
}

/** How often the chain holds each (device, seq): in its inputs, and in the node's accepted records. */
function onChain(fake: FakeStack): { inInputs: Map<string, number>; accepted: Map<string, number> } {
  const inInputs = new Map<string, number>();
  for (const i of fake.chain.inputs()) {
    const decoded = decodeInput(new Uint8Array(Buffer.from(i.payload.slice(2), "hex")));
    if (decoded.kind !== "record_batch") continue;
    for (const r of decoded.records) {
      const key = `${toHex(r.device)}:${r.seq}`;
      inInputs.set(key, (inInputs.get(key) ?? 0) + 1);
    }
  }
  const accepted = new Map<string, number>();
  for (const p of fake.node.processed())
    for (const o of p.outputs) {
      const n = decodeNotice(new Uint8Array(Buffer.from(o.payload.slice(2), "hex")));
      if (n.kind !== "records_accepted") continue;
      for (const e of n.records) {
        const key = `${toHex(e.device)}:${e.seq}`;
        accepted.set(key, (accepted.get(key) ?? 0) + 1);
      }
    }
  return { inInputs, accepted };
}

function exactlyOnce(fake: FakeStack, readings: { d: SimDevice; seq: bigint }[]): void {
  const { inInputs, accepted } = onChain(fake);
  for (const r of readings) {
    const key = `${r.d.hex}:${r.seq}`;
    expect(accepted.get(key), `${key} accepted`).toBe(1);
    expect(inInputs.get(key), `${key} in inputs`).toBe(1);
  }
  expect(accepted.size).toBe(readings.length);
}

/** No input got a second nonce: nothing could land twice. */
function noNewNonce(gw: TestGateway): void {
  const { outbox } = gw.app.gateway;
  for (let id = 1; outbox.inputs.get(id) !== undefined; id++) {
    const txs = outbox.inputs.txsOf(id);
    expect(new Set(txs.map((t) => t.nonce)).size, `input ${id}`).toBe(1);
    expect(txs.some((t) => t.abandoned)).toBe(false);
  }
}

const metric = async (gw: TestGateway, name: string): Promise<number> => {
  const body = (await gw.app.inject({ method: "GET", url: "/metrics" })).body;
  const line = body.split("\n").find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
};

describe("the chain takes back mined inputs", () => {
  it("a reorganisation drops accepted inputs: they go back to submitted, are sent again as the same bytes, and every reading ends accepted once", async () => {
    const { gw, fake } = await setup();
    const devices = [await gw.device(), await gw.device()];
    const first = await post(gw, devices, 5);
    await allStatus(gw, first, "accepted");
    const reorgFrom = fake.chain.head.number;
    const second = await post(gw, devices, 5);
    await allStatus(gw, second, "accepted");
    expect((await status(gw, second[0]!)).final).toBe(false);

    // The blocks since then are replaced by empty ones; nothing is mined until the test says so.
    fake.chain.automine = false;
    fake.chain.reorg(fake.chain.head.number - reorgFrom);
    await allStatus(gw, second, "submitted");
    expect(await status(gw, second[0]!)).toMatchObject({ status: "submitted", final: false });
    expect((await status(gw, first[0]!)).status).toBe("accepted"); // before the fork: untouched
    const third = await post(gw, devices, 3);
    await until(() => (fake.chain.pool.size > 0 ? true : undefined), 10_000, "the same transactions sent again");
    fake.chain.automine = true;
    fake.chain.mine();

    const all = [...first, ...second, ...third];
    await allStatus(gw, all, "accepted");
    exactlyOnce(fake, all);
    noNewNonce(gw);
    expect(await metric(gw, 'lcore_gw_inputs_reorged_total{kind="vanished"}')).toBeGreaterThanOrEqual(1);
    // Final once the blocks are at or below the finalized tag (two blocks behind in the fake).
    fake.chain.mine(3);
    await until(async () => ((await status(gw, all[all.length - 1]!)).final === true ? true : undefined));
    expect(await status(gw, first[0]!)).toMatchObject({ status: "accepted", final: true });
  });

  it("a chain restarted from a state seconds old, its pool empty: the lost and the pending transactions are sent again", async () => {
    const { gw, fake } = await setup();
    const devices = [await gw.device(), await gw.device(), await gw.device()];
    const first = await post(gw, devices, 4);
    await allStatus(gw, first, "accepted");
    // Some mined, then some only in the pool when the chain dies.
    const second = await post(gw, devices, 4);
    await allStatus(gw, second, "accepted");
    fake.chain.automine = false;
    const third = await post(gw, devices, 4);
    await until(() => (fake.chain.pool.size > 0 ? true : undefined), 10_000, "transactions in the pool");
    fake.rpc.down = true;
    fake.nodeRpc.down = true;
    fake.chain.restart(3);
    await new Promise((r) => setTimeout(r, 300));
    fake.chain.automine = true;
    fake.rpc.down = false;
    fake.nodeRpc.down = false;

    const all = [...first, ...second, ...third];
    await allStatus(gw, all, "accepted");
    exactlyOnce(fake, all);
    noNewNonce(gw);
    expect(await metric(gw, "lcore_gw_tx_rebroadcasts_total")).toBeGreaterThanOrEqual(1);
  });

  it("a nonce gap no input holds (a dropped transaction of someone else's) is filled, and the inputs behind it are mined", async () => {
    const key = generatePrivateKey();
    const { gw, fake } = await setup(key);
    const d = await gw.device();
    const first = await post(gw, [d], 2);
    await allStatus(gw, first, "accepted");
    // Someone else sends from the gateway's account; its next input finds its nonce taken and is signed again.
    const account = privateKeyToAccount(key);
    const nonce = fake.chain.nonceAt(account.address);
    const foreign = await account.signTransaction({
      type: "eip1559",
      chainId: 31337,
      nonce,
      to: account.address,
      value: 0n,
      gas: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    await fake.chain.send(foreign);
    const second = await post(gw, [d], 2);
    await allStatus(gw, second, "accepted");
    // The chain drops the foreign transaction and the gateway's input after it: a gap at the foreign nonce.
    fake.chain.rollback(
      fake.chain.head.number - fake.chain.blocks.findIndex((b) => b.txs.some((t) => t.raw === foreign)) + 1,
    );
    expect(fake.chain.nonceAt(account.address)).toBe(nonce);
    const third = await post(gw, [d], 2);

    const all = [...first, ...second, ...third];
    await allStatus(gw, all, "accepted");
    exactlyOnce(fake, all);
    expect(await metric(gw, "lcore_gw_nonce_gap_fills_total")).toBeGreaterThanOrEqual(1);
  });
});
