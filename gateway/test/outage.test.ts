// The chain's RPC or the rollups node down for a while (issue 26, point 2): the gateway keeps
// taking readings into its outbox (202), says so in /healthz (degraded, with the reason) and
// /metrics (lcore_gw_upstream_up 0), warns once — not once per retry — backs off instead of
// calling in a busy loop, and drains when the upstream answers again. A chain that answers but
// mines nothing is a stall /healthz names too. The chain and the node are the fakes of
// helpers/fakeChain.ts.

import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import type { GatewayOptions } from "../src/options.js";
import type { SimDevice } from "../src/sim/device.js";
import { Secret } from "../src/util/secrets.js";
import { type FakeStack, fakeStack, until } from "./helpers/fakeChain.js";
import { type TestGateway, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const APP = `0x${"a9".repeat(20)}` as Hex;

interface Logged {
  level: number;
  msg: string;
}

async function setup(
  extra: Partial<GatewayOptions> = {},
  before?: (fake: FakeStack) => void,
): Promise<{ gw: TestGateway; fake: FakeStack; logs: Logged[] }> {
  const fake = await fakeStack(cleanups, APP);
  before?.(fake);
  const logs: Logged[] = [];
  const gw = await testGateway(cleanups, {
    app: APP,
    submitterKey: new Secret(generatePrivateKey()),
    chain: { rpcUrl: fake.rpc.url, inputBox: fake.chain.inputBox, pollMs: 50, watchMs: 100 },
    batcher: { maxDelayMs: 50 },
    follower: { kind: "jsonrpc", url: fake.nodeRpc.url, pollMs: 50 },
    logger: { level: "info", stream: { write: (line: string) => void logs.push(JSON.parse(line)) } },
    ...extra,
  });
  await gw.app.ready();
  return { gw, fake, logs };
}

async function post(gw: TestGateway, d: SimDevice, n: number): Promise<bigint[]> {
  const seqs: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const body = d.reading();
    const res = await gw.app.inject({ method: "POST", url: "/v1/readings", payload: body });
    expect(res.statusCode).toBe(202);
    seqs.push(BigInt(body.seq));
  }
  return seqs;
}

const health = async (gw: TestGateway) => (await gw.app.inject({ method: "GET", url: "/healthz" })).json();
const metrics = async (gw: TestGateway) => (await gw.app.inject({ method: "GET", url: "/metrics" })).body;

async function accepted(gw: TestGateway, d: SimDevice, seqs: bigint[]): Promise<void> {
  await until(
    async () => {
      for (const seq of seqs) {
        const s = (await gw.app.inject({ method: "GET", url: `/v1/readings/${d.hex}/${seq}` })).json();
        if (s.status !== "accepted") return undefined;
      }
      return true;
    },
    20_000,
    "every reading accepted",
  );
}

const reasonCodes = (h: { reasons: { code: string }[] }) => h.reasons.map((r) => r.code);

describe("an upstream that does not answer", () => {
  it("the chain's RPC down: readings still taken, degraded with the reason, one warning, no busy loop; drained when it returns", async () => {
    const { gw, fake, logs } = await setup();
    const d = await gw.device();
    await accepted(gw, d, await post(gw, d, 3));
    expect(await health(gw)).toMatchObject({ status: "ok", reasons: [], chain: { up: true }, node: { up: true } });

    fake.rpc.down = true;
    const during = await post(gw, d, 20);
    const h = await until(async () => {
      const now = await health(gw);
      return reasonCodes(now).includes("chain_unreachable") ? now : undefined;
    });
    expect(h).toMatchObject({ status: "degraded", chain: { up: false } });
    expect(h.reasons[0].message).toMatch(/the chain's RPC has not answered since/);
    expect(await metrics(gw)).toMatch(/lcore_gw_upstream_up\{upstream="chain"\} 0/);
    expect(await metrics(gw)).toMatch(/lcore_gw_upstream_up\{upstream="node"\} 1/);
    // Three seconds down: the loops back off (to 5 s at most), they do not hammer the RPC.
    const requests = fake.rpc.requests;
    await new Promise((r) => setTimeout(r, 3000));
    expect(fake.rpc.requests - requests).toBeLessThan(40);
    const since = Number(
      /lcore_gw_upstream_seconds_since_success\{upstream="chain"\} ([0-9.]+)/.exec(await metrics(gw))![1],
    );
    expect(since).toBeGreaterThanOrEqual(3);
    expect((await health(gw)).oldestWaitingSeconds.inclusion).toBeGreaterThanOrEqual(3);

    fake.rpc.down = false;
    await accepted(gw, d, during);
    expect(await health(gw)).toMatchObject({ status: "ok", reasons: [], chain: { up: true } });
    // Warned once when it stopped answering, told once when it came back; nothing per retry.
    const warnings = logs.filter((l) => l.level >= 40 && !l.msg.includes("MVP compatibility"));
    expect(warnings.map((l) => l.msg)).toEqual([expect.stringMatching(/^the chain's RPC does not answer/)]);
    expect(logs.filter((l) => l.msg.startsWith("the chain's RPC answers again"))).toHaveLength(1);
  });

  it("a gateway started while the chain is down starts, takes readings, and sends them once the chain answers", async () => {
    const { gw, fake } = await setup({}, (f) => {
      f.rpc.down = true;
    });
    const d = await gw.device();
    const seqs = await post(gw, d, 5);
    expect((await health(gw)).status).toBe("degraded");
    fake.rpc.down = false;
    await accepted(gw, d, seqs);
  });

  it("the node down: node_unreachable while mined inputs wait for their verdict; the verdicts come when it returns", async () => {
    const { gw, fake } = await setup();
    const d = await gw.device();
    fake.nodeRpc.down = true;
    const seqs = await post(gw, d, 5);
    await until(async () => (reasonCodes(await health(gw)).includes("node_unreachable") ? true : undefined));
    expect(await metrics(gw)).toMatch(/lcore_gw_upstream_up\{upstream="node"\} 0/);
    fake.nodeRpc.down = false;
    await accepted(gw, d, seqs);
    expect((await health(gw)).status).toBe("ok");
  });

  it("a chain that answers but mines nothing: inclusion_stalled once a reading has waited stallSeconds with nothing mined", async () => {
    const { gw, fake } = await setup({ health: { stallSeconds: 1 } });
    const d = await gw.device();
    await accepted(gw, d, await post(gw, d, 1));
    fake.chain.automine = false;
    const seqs = await post(gw, d, 3);
    const h = await until(async () => {
      const now = await health(gw);
      return reasonCodes(now).includes("inclusion_stalled") ? now : undefined;
    }, 10_000);
    expect(h.status).toBe("degraded");
    expect(h.chain.up).toBe(true);
    fake.chain.automine = true;
    fake.chain.mine();
    await accepted(gw, d, seqs);
    await until(async () => ((await health(gw)).status === "ok" ? true : undefined));
  });
});

describe("configuration", () => {
  it("the stall limits, the finality depth and the watch's interval come from the environment", () => {
    const env = {
      LCORE_GW_OWNER_KEY: "11".repeat(32),
      LCORE_GW_OWNER_TOKEN: "a-long-enough-owner-token",
      LCORE_GW_SUBMITTER_KEY: `0x${"22".repeat(32)}`,
      LCORE_GW_APP: `0x${"33".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
      LCORE_GW_RPC_URL: "http://127.0.0.1:8545",
    };
    const defaults = loadConfig(env).options;
    expect(defaults.health).toEqual({ stallSeconds: 300, verdictStallSeconds: 3600, settlementStallSeconds: 7200 });
    expect(defaults.chain).toMatchObject({ finalityDepth: 64, watchMs: 1000 });
    const set = loadConfig({
      ...env,
      LCORE_GW_STALL_SECONDS: "60",
      LCORE_GW_VERDICT_STALL_SECONDS: "900",
      LCORE_GW_SETTLEMENT_STALL_SECONDS: "600",
      LCORE_GW_FINALITY_DEPTH: "20",
      LCORE_GW_WATCH_MS: "5000",
    }).options;
    expect(set.health).toEqual({ stallSeconds: 60, verdictStallSeconds: 900, settlementStallSeconds: 600 });
    expect(set.chain).toMatchObject({ finalityDepth: 20, watchMs: 5000 });
    expect(() => loadConfig({ ...env, LCORE_GW_STALL_SECONDS: "0" })).toThrow(/LCORE_GW_STALL_SECONDS/);
  });
});
