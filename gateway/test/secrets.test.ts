// Secrets never reach logs, error answers, metrics or the API document.

import type { InjectOptions } from "fastify";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { derivePeriodKey } from "@lcore/protocol/sealing";
import { loadConfig } from "../src/config.js";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { Secret } from "../src/util/secrets.js";
import { SimDevice } from "../src/sim/device.js";
import { OWNER_TOKEN, auth, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

describe("secrets", () => {
  it("are absent from every log line, answer and document, even with request logging at trace level", async () => {
    let log = "";
    const stream = new Writable({
      write(chunk, _enc, done) {
        log += chunk.toString();
        done();
      },
    });
    const executorKey = new Secret<`0x${string}`>(`0x${"5e".repeat(32)}`);
    const gw = await testGateway(cleanups, {
      logger: { level: "trace", stream },
      logRequests: true,
      settlement: { executorKey },
    });
    const ownerKeyHex = Buffer.from(gw.options.ownerKey.reveal()).toString("hex");
    const submitterHex = gw.options.submitterKey.reveal().slice(2);
    const d = await gw.device();
    const answers: string[] = [];
    const hit = async (opts: InjectOptions) => answers.push((await gw.app.inject(opts)).body);
    await hit({
      method: "POST",
      url: "/v1/readings",
      payload: d.reading({ payload: new Uint8Array(Buffer.from("very-private-plaintext")) }),
    });
    await hit({ method: "POST", url: "/v1/readings", payload: { ...SimDevice.random().reading(), device: d.hex } });
    await hit({
      method: "POST",
      url: "/v1/devices",
      headers: { authorization: `Bearer ${OWNER_TOKEN}x` },
      payload: {},
    });
    await hit({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth });
    await hit({ method: "GET", url: "/metrics" });
    await hit({ method: "GET", url: "/docs/json" });
    await hit({ method: "GET", url: "/v1/info" });
    // A key disclosure: the period key goes into the input, never into a log line or an answer.
    const period = Math.floor(Date.now() / 86_400_000) - 2;
    const periodKeyHex = Buffer.from(
      derivePeriodKey(gw.options.ownerKey.reveal(), gw.app.gateway.appBytes, d.address, period),
    ).toString("hex");
    await hit({ method: "POST", url: "/v1/readings", payload: d.reading({ timestamp: period * 86_400 }) });
    await new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 0 })).tick(Date.now());
    const disclosed = await gw.app.inject({
      method: "POST",
      url: "/v1/disclosures",
      headers: auth,
      payload: { device: d.hex, period },
    });
    expect(disclosed.statusCode).toBe(202);
    answers.push(disclosed.body);
    await hit({ method: "GET", url: disclosed.json().statusUrl, headers: auth });
    gw.app.log.info({ options: gw.options }, "options logged by mistake");
    expect(log).toContain("incoming request");
    expect(log).toContain("[redacted]");
    for (const text of [log, ...answers]) {
      expect(text).not.toContain(ownerKeyHex);
      expect(text).not.toContain(submitterHex);
      expect(text).not.toContain(periodKeyHex);
      expect(text).not.toContain(executorKey.reveal().slice(2));
      expect(text).not.toContain(OWNER_TOKEN);
      expect(text).not.toContain(Buffer.from("very-private-plaintext").toString("hex"));
      expect(text).not.toContain("very-private-plaintext");
    }
  });

  it("print as [redacted] and config errors name the variable, never the value", () => {
    expect(String(new Secret("s3cret"))).toBe("[redacted]");
    expect(JSON.stringify({ k: new Secret("s3cret") })).toBe('{"k":"[redacted]"}');
    const env = {
      LCORE_GW_OWNER_KEY: "zz-not-hex-but-secretish",
      LCORE_GW_OWNER_TOKEN: "t".repeat(20),
      LCORE_GW_SUBMITTER_KEY: "11".repeat(32),
      LCORE_GW_APP: `0x${"22".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
    };
    expect(() => loadConfig(env)).toThrow(/^LCORE_GW_OWNER_KEY must be 32 bytes/);
    try {
      loadConfig(env);
    } catch (e) {
      expect((e as Error).message).not.toContain("secretish");
    }
    expect(() => loadConfig({ ...env, LCORE_GW_OWNER_KEY: "33".repeat(32), LCORE_GW_OWNER_TOKEN: "short" })).toThrow(
      /OWNER_TOKEN must be at least 16/,
    );
    const ok = { ...env, LCORE_GW_OWNER_KEY: "33".repeat(32) };
    expect(() => loadConfig({ ...ok, LCORE_GW_EXECUTOR_KEY: "executor-secretish" })).toThrow(
      /^LCORE_GW_EXECUTOR_KEY must be 32 bytes/,
    );
    const settlement = loadConfig({ ...ok, LCORE_GW_EXECUTOR_KEY: "44".repeat(32), LCORE_GW_TICK_MS: "5000" }).options
      .settlement!;
    expect(settlement.tickMs).toBe(5000);
    expect(settlement.executorKey?.reveal()).toBe(`0x${"44".repeat(32)}`);
    expect(loadConfig(ok).options.settlement).toEqual({ pollMs: 1000 }); // no tick timer, no executor key: watch only
  });
});
