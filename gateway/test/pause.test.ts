// Rollback: the Cartesi path paused keeps accepting readings into the outbox and sends
// nothing; the flag survives a restart; resume sends everything that waited. Run on the
// devnet with the real dApp, mirrored to a stand-in legacy node the whole time.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GatewayApp, buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { OWNER_TOKEN, auth, testGateway } from "./helpers/gateway.js";
import { legacyNode } from "./helpers/legacyNode.js";
import { rpcProxy } from "./helpers/rpcProxy.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const cartesi = async (app: GatewayApp) => (await app.inject({ method: "GET", url: "/v1/cartesi" })).json();
const post = (app: GatewayApp, action: "pause" | "resume", headers: Record<string, string> = auth) =>
  app.inject({ method: "POST", url: `/v1/cartesi/${action}`, headers });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Cartesi pause switch", () => {
  it("needs the owner token, is durable across restarts, and can be set at start", async () => {
    const gw = await testGateway(cleanups);
    const refused = await post(gw.app, "pause", { authorization: `Bearer ${OWNER_TOKEN}x` });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe("LCORE_GW_UNAUTHORIZED");
    expect(await cartesi(gw.app)).toEqual({ paused: false, queuedReadings: 0, unincludedInputs: 0 });

    const paused = await post(gw.app, "pause");
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toEqual({ paused: true, queuedReadings: 0, unincludedInputs: 0 });
    const d = await gw.device();
    expect((await gw.app.inject({ method: "POST", url: "/v1/readings", payload: d.reading() })).statusCode).toBe(202);
    expect((await gw.app.inject({ method: "GET", url: "/metrics" })).body).toContain("lcore_gw_cartesi_paused 1");

    await gw.app.close();
    const again = await buildApp(gw.options);
    cleanups.push(() => again.close());
    expect(await cartesi(again)).toEqual({ paused: true, queuedReadings: 1, unincludedInputs: 1 });
    expect((await post(again, "resume")).json().paused).toBe(false);
    await again.close();

    const forced = await buildApp({ ...gw.options, cartesiPaused: true });
    cleanups.push(() => forced.close());
    expect((await cartesi(forced)).paused).toBe(true);

    const env = {
      LCORE_GW_OWNER_KEY: "33".repeat(32),
      LCORE_GW_OWNER_TOKEN: "t".repeat(20),
      LCORE_GW_SUBMITTER_KEY: "11".repeat(32),
      LCORE_GW_APP: `0x${"22".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
    };
    expect(loadConfig(env).options.cartesiPaused).toBeUndefined();
    expect(loadConfig({ ...env, LCORE_GW_CARTESI_PAUSED: "1" }).options.cartesiPaused).toBe(true);
    expect(loadConfig({ ...env, LCORE_GW_CARTESI_PAUSED: "0" }).options.cartesiPaused).toBe(false);
  });

  describe("on the devnet", () => {
    const stackCleanups: Cleanup[] = [];
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack(stackCleanups);
    });
    afterAll(() => runCleanups(stackCleanups));

    it("paused: readings accepted, queued and mirrored, nothing submitted, still paused after a restart; resumed: all accepted by the dApp", async () => {
      const legacy = await legacyNode(cleanups);
      const gw = await testGateway(cleanups, {
        ...stack.gatewayOptions(0, { pollMs: 50, maxDelayMs: 100, followMs: 100 }),
        mirror: { url: legacy.url, pollMs: 20 },
      });
      await gw.app.ready();
      const d = await gw.device();
      await eventually(
        async () => {
          const res = await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth });
          return res.json().registration.status === "accepted" ? true : undefined;
        },
        60_000,
        "registration",
      );

      expect((await post(gw.app, "pause")).json().paused).toBe(true);
      const before = (await stack.inputs()).length;
      const readings = [1n, 2n, 3n, 4n, 5n].map((value) => d.reading({ value }));
      for (const r of readings)
        expect((await gw.app.inject({ method: "POST", url: "/v1/readings", payload: r })).statusCode).toBe(202);
      await eventually(
        () => (legacy.accepted.length === 5 ? true : undefined),
        20_000,
        "the mirror, which keeps running",
      );
      // Ten times the batch delay: unpaused, the batcher would have cut an input by now.
      await sleep(1000);
      expect(await cartesi(gw.app)).toEqual({ paused: true, queuedReadings: 5, unincludedInputs: 0 });
      expect((await stack.inputs()).length).toBe(before);

      await gw.app.close();
      const again = await buildApp(gw.options);
      cleanups.push(() => again.close());
      await again.ready();
      await sleep(1000);
      expect(await cartesi(again)).toEqual({ paused: true, queuedReadings: 5, unincludedInputs: 0 });
      expect((await stack.inputs()).length).toBe(before);

      expect((await post(again, "resume")).json().paused).toBe(false);
      for (const r of readings) {
        await eventually(
          async () => {
            const res = await again.inject({ method: "GET", url: `/v1/readings/${r.device}/${r.seq}` });
            return res.json().status === "accepted" ? true : undefined;
          },
          60_000,
          `reading ${r.seq} accepted`,
        );
      }
      expect((await stack.inputs()).length).toBeGreaterThan(before);
      const view = await eventually(
        async () => {
          const v = (await again.inject({ method: "GET", url: "/v1/mirror" })).json();
          return v.agreements.accepted === 5 ? v : undefined;
        },
        20_000,
        "five agreements",
      );
      expect(view).toMatchObject({
        pending: 0,
        legacy: { accepted: 5 },
        divergences: { cartesi_only: 0, legacy_only: 0 },
      });
      expect(legacy.accepted).toHaveLength(5);
    });

    it("pausing while a batch is being sent answers once that pass is done: no transaction reaches the chain after the answer", async () => {
      // The submitter talks to anvil through a proxy that logs every call and can hold one.
      const proxy = await rpcProxy(cleanups, stack.devnet.chainRpcUrl);
      const options = stack.gatewayOptions(1, { pollMs: 50, maxDelayMs: 50 });
      const gw = await testGateway(cleanups, { ...options, chain: { ...options.chain!, rpcUrl: proxy.url } });
      await gw.app.ready();
      const d = await gw.device();
      await eventually(
        async () => ((await cartesi(gw.app)).unincludedInputs === 0 ? true : undefined),
        60_000,
        "the registration included",
      );
      const before = (await stack.inputs()).length;

      // The new batch's gas estimate is held: a submitter pass is in flight, about to sign and send it.
      const hold = proxy.hold("eth_estimateGas");
      const heldFrom = proxy.log.length;
      expect(
        (await gw.app.inject({ method: "POST", url: "/v1/readings", payload: d.reading({ value: 1n }) })).statusCode,
      ).toBe(202);
      await hold.reached;
      const pause = post(gw.app, "pause").then((res) => {
        proxy.log.push("pause answered");
        return res;
      });
      // The flag is durable and set; the answer waits for the pass, which may now go on.
      await eventually(() => (gw.app.gateway.cartesi.paused ? true : undefined), 10_000, "the pause flag");
      hold.release();
      expect((await pause).json()).toMatchObject({ paused: true, queuedReadings: 0, unincludedInputs: 1 });

      // Paused: more readings are taken, nothing is sent, though the in-flight batch is mined.
      for (const value of [2n, 3n]) {
        expect(
          (await gw.app.inject({ method: "POST", url: "/v1/readings", payload: d.reading({ value }) })).statusCode,
        ).toBe(202);
      }
      await eventually(
        async () => ((await stack.inputs()).length === before + 1 ? true : undefined),
        30_000,
        "the batch sent before the answer, mined",
      );
      await sleep(1000); // twenty submitter polls and batcher delays
      const answeredAt = proxy.log.indexOf("pause answered");
      expect(proxy.log.slice(heldFrom, answeredAt)).toContain("eth_sendRawTransaction"); // the held pass's batch
      expect(proxy.log.slice(answeredAt)).not.toContain("eth_sendRawTransaction");
      expect(await cartesi(gw.app)).toEqual({ paused: true, queuedReadings: 2, unincludedInputs: 1 });
      expect((await stack.inputs()).length).toBe(before + 1);

      expect((await post(gw.app, "resume")).json().paused).toBe(false);
      await eventually(
        async () => {
          const v = await cartesi(gw.app);
          return v.queuedReadings === 0 && v.unincludedInputs === 0 ? true : undefined;
        },
        30_000,
        "the queued readings sent after the resume",
      );
      expect((await stack.inputs()).length).toBeGreaterThan(before + 1);
    });
  });
});
