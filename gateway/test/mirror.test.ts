// Dual mode: every committed reading is forwarded to a legacy MVP node, durably and
// without holding up the 202; the legacy node's answers are compared with the dApp's
// verdicts (here from a fake node reader through the real follower).

import { encodeNotice } from "@lcore/protocol/notices";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayApp, buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { InputRow } from "../src/outbox/inputStore.js";
import type { PackedReading } from "../src/outbox/readingStore.js";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { Follower } from "../src/chain/follower.js";
import { Mirror, legacyBody, milliText, mirrorSettings } from "../src/mvp/mirror.js";
import type { NodeInput } from "../src/chain/nodeReader.js";
import { auth, testGateway } from "./helpers/gateway.js";
import { legacyNode } from "./helpers/legacyNode.js";
import { eventually } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as const;
const mirrorView = async (app: GatewayApp) => (await app.inject({ method: "GET", url: "/v1/mirror" })).json();

async function mvpDevice(app: GatewayApp, id: string): Promise<void> {
  const res = await app.inject({
    method: "POST",
    url: "/device/register",
    payload: { device_id: id, public_key: "k" },
  });
  expect(res.statusCode).toBe(201);
}

async function mvpData(app: GatewayApp, id: string, data: unknown): Promise<void> {
  const res = await app.inject({ method: "POST", url: "/device/data", payload: { device_id: id, data } });
  expect(res.statusCode).toBe(202);
}

describe("mirror to a legacy MVP node", () => {
  it("maps values to exact decimals and keeps an MVP reading's original data", () => {
    expect([21500n, -5n, 0n, 1000n, -1234567n, 9223372036854775807n].map(milliText)).toEqual([
      "21.5",
      "-0.005",
      "0",
      "1",
      "-1234.567",
      "9223372036854775.807",
    ]);
    const payload = new TextEncoder().encode('{"t":3.25,"ok":true}');
    expect(legacyBody({ hex: "0xab", mvpId: "s-1" }, { value: 0n, payload })).toBe(
      '{"device_id":"s-1","data":{"t":3.25,"ok":true}}',
    );
    expect(legacyBody({ hex: "0xab", mvpId: null }, { value: 42n, payload })).toBe('{"device_id":"0xab","data":0.042}');
  });

  it("forwards MVP-route and signed readings once each, and a restart resends nothing", async () => {
    const legacy = await legacyNode(cleanups);
    const gw = await testGateway(cleanups, { mirror: { url: `${legacy.url}/`, pollMs: 20 } });
    await gw.app.ready();
    await mvpDevice(gw.app, "sensor-7");
    for (const data of [21.5, { t: 3 }, "ok"]) await mvpData(gw.app, "sensor-7", data);
    const d = await gw.device();
    for (const value of [21500n, -5n]) {
      expect(
        (await gw.app.inject({ method: "POST", url: "/v1/readings", payload: d.reading({ value }) })).statusCode,
      ).toBe(202);
    }
    await eventually(
      () => (legacy.accepted.length === 5 ? true : undefined),
      20_000,
      "five readings at the legacy node",
    );
    expect([...legacy.accepted].sort()).toEqual(
      [
        '{"device_id":"sensor-7","data":21.5}',
        '{"device_id":"sensor-7","data":{"t":3}}',
        '{"device_id":"sensor-7","data":"ok"}',
        `{"device_id":"${d.hex}","data":21.5}`,
        `{"device_id":"${d.hex}","data":-0.005}`,
      ].sort(),
    );
    await eventually(
      async () => ((await mirrorView(gw.app)).pending === 0 ? true : undefined),
      10_000,
      "nothing pending",
    );
    expect(await mirrorView(gw.app)).toMatchObject({
      enabled: true,
      legacy: { accepted: 5, refused: 0, failed: 0, skipped: 0 },
    });

    await gw.app.close();
    const again = await buildApp(gw.options);
    cleanups.push(() => again.close());
    await again.ready();
    await mvpData(again, "sensor-7", 7);
    await eventually(() => (legacy.accepted.length === 6 ? true : undefined), 20_000, "the reading after the restart");
    expect(legacy.accepted[5]).toBe('{"device_id":"sensor-7","data":7}');
    await eventually(
      async () => ((await mirrorView(again)).pending === 0 ? true : undefined),
      10_000,
      "nothing pending",
    );
    expect((await mirrorView(again)).legacy.accepted).toBe(6);
    expect((await again.inject({ method: "GET", url: "/metrics" })).body).toContain(
      'lcore_gw_mirror_sent_total{legacy="accepted"} 6',
    );
    expect(legacy.accepted).toHaveLength(6);
  });

  it("does not send migrated MVP history back to the legacy node, only live readings", async () => {
    const legacy = await legacyNode(cleanups);
    const gw = await testGateway(cleanups, { mirror: { url: legacy.url, pollMs: 20 } });
    await gw.app.ready();
    const reg = await gw.app.inject({
      method: "POST",
      url: "/v1/migration/devices",
      headers: auth,
      payload: { devices: [{ device_id: "old-1" }] },
    });
    expect(reg.json().devices[0].outcome).toBe("registered");
    const day = Math.floor(Date.now() / 1000) - 86_400;
    const rows = [1, 2, 3].map((id) => ({
      device_id: "old-1",
      row_id: String(id),
      submission_date: String(day + id),
      transaction_hash: null,
      data: `0x${Buffer.from(String(id)).toString("hex")}`,
    }));
    const migrated = await gw.app.inject({
      method: "POST",
      url: "/v1/migration/readings",
      headers: auth,
      payload: { rows },
    });
    expect(migrated.json().rows.map((r: { outcome: string }) => r.outcome)).toEqual([
      "migrated",
      "migrated",
      "migrated",
    ]);
    await mvpData(gw.app, "old-1", 4.5); // the same device, live again after the migration
    await eventually(
      async () => ((await mirrorView(gw.app)).pending === 0 ? true : undefined),
      20_000,
      "nothing pending",
    );
    expect(legacy.accepted).toEqual(['{"device_id":"old-1","data":4.5}']);
    expect((await mirrorView(gw.app)).legacy).toEqual({ accepted: 1, refused: 0, failed: 0, skipped: 0, history: 3 });
    expect((await gw.app.inject({ method: "GET", url: "/metrics" })).body).toContain("lcore_gw_mirror_history_total 3");
  });

  it("counts agreements and both kinds of divergence once both verdicts are known, whichever comes first", async () => {
    const legacy = await legacyNode(cleanups);
    legacy.refuse.add("refused-1").add("refused-2");
    const gw = await testGateway(cleanups, {
      mirror: { url: legacy.url, pollMs: 20, minBackoffMs: 20, maxBackoffMs: 100 },
    });
    await gw.app.ready();
    const ids = ["ok-1", "refused-1", "ok-2", "refused-2"];
    for (const id of ids) await mvpDevice(gw.app, id);
    for (const id of ids) await mvpData(gw.app, id, 1);
    await eventually(
      async () => ((await mirrorView(gw.app)).pending === 0 ? true : undefined),
      20_000,
      "legacy answers",
    );
    expect((await mirrorView(gw.app)).legacy).toEqual({ accepted: 2, refused: 2, failed: 0, skipped: 0, history: 0 });
    expect((await mirrorView(gw.app)).agreements).toEqual({ accepted: 0, rejected: 0 }); // no dApp verdict yet
    // A fifth reading the legacy node answers only after the dApp's verdict.
    legacy.mode = "down";
    await mvpDevice(gw.app, "late");
    await mvpData(gw.app, "late", 2);

    // The dApp's side: one record batch, "mined" at input 0; the dApp accepts ok-1,
    // refused-1 and late, and skips ok-2 and refused-2.
    const ctx = gw.app.gateway;
    await new Batcher(ctx, batcherSettings({ maxDelayMs: 0 })).tick(Date.now());
    const input = ctx.outbox.inputs.unincluded(10).find((i) => i.kind === "records")!;
    await ctx.outbox.inputs.include(input.id, {
      txHash: new Uint8Array(32),
      blockNumber: 1,
      inputIndex: 0,
      gasUsed: 1,
      includedMs: Date.now(),
    });
    const rows = ctx.outbox.readings.ofInput(input.id);
    expect(rows.map((r) => ctx.registry.get(hex(r.device))!.mvpId)).toEqual([...ids, "late"]);
    const entry = (r: PackedReading) => ({ device: r.device, seq: r.seq, recordHash: recordHash(encodeRecord(r)) });
    const skip = (position: number) => ({
      index: position,
      device: hex(rows[position]!.device),
      seq: "1",
      reason: "bad_signature",
    });
    const node: NodeInput = {
      status: "ACCEPTED",
      notices: [
        {
          index: 4,
          payload: hex(
            encodeNotice({
              kind: "records_accepted",
              stateHash: new Uint8Array(32),
              records: [entry(rows[0]!), entry(rows[1]!), entry(rows[4]!)],
            }),
          ),
        },
      ],
      reports: [
        { payload: hex(Buffer.from(JSON.stringify({ type: "skipped", input: "0", records: [skip(2), skip(3)] }))) },
      ],
    };
    expect(await new Follower(ctx, { input: async (i) => (i === 0 ? node : null) }).step()).toBe(1);

    const view = await eventually(
      async () => {
        const v = await mirrorView(gw.app);
        return v.divergences.cartesi_only +
          v.divergences.legacy_only +
          v.agreements.accepted +
          v.agreements.rejected ===
          4
          ? v
          : undefined;
      },
      10_000,
      "comparisons",
    );
    expect(view.agreements).toEqual({ accepted: 1, rejected: 1 });
    expect(view.pending).toBe(1);
    expect(view.divergences).toEqual({ cartesi_only: 1, legacy_only: 1 });
    expect(view.recent).toEqual([
      { device: hex(rows[2]!.device), seq: "1", kind: "legacy_only", legacyStatus: 201, reason: "bad_signature" },
      { device: hex(rows[1]!.device), seq: "1", kind: "cartesi_only", legacyStatus: 400, reason: null },
    ]);
    // The counters move once the comparison's row is written, so a scrape may come between the two.
    const metrics = await eventually(
      async () => {
        const body = (await gw.app.inject({ method: "GET", url: "/metrics" })).body;
        return body.includes('lcore_gw_mirror_divergences_total{kind="legacy_only"} 1') ? body : undefined;
      },
      10_000,
      "the mirror's counters",
    );
    expect(metrics).toContain('lcore_gw_mirror_divergences_total{kind="cartesi_only"} 1');
    expect(metrics).toContain('lcore_gw_mirror_divergences_total{kind="legacy_only"} 1');
    expect(metrics).toContain('lcore_gw_mirror_agreements_total{outcome="accepted"} 1');
    expect(metrics).toContain('lcore_gw_mirror_agreements_total{outcome="rejected"} 1');

    legacy.mode = "up";
    await eventually(
      async () => ((await mirrorView(gw.app)).agreements.accepted === 2 ? true : undefined),
      10_000,
      "the late reading compared",
    );
    expect((await mirrorView(gw.app)).divergences).toEqual({ cartesi_only: 1, legacy_only: 1 });
  });

  it("compares a reading whose input was processed behind the input-index window only on the sweep, every sweepPasses passes", async () => {
    // Two inputs, each with one reading the legacy node accepted and the dApp accepts.
    // The later input's inclusion is recorded first, so the follower processes it and the
    // window moves past its index; the earlier input is processed afterwards, below the
    // window. The test steps the mirror itself (no mirror loop: no mirror option).
    const afterLateVerdict = async (sweepPasses: number) => {
      const legacy = await legacyNode(cleanups);
      const gw = await testGateway(cleanups);
      await gw.app.ready();
      const ctx = gw.app.gateway;
      const mirror = new Mirror(ctx, mirrorSettings({ url: legacy.url, sweepPasses }));
      await mirror.start();
      const batcher = new Batcher(ctx, batcherSettings({ maxDelayMs: 0 }));
      await mvpDevice(gw.app, "s");
      const inputs: InputRow[] = [];
      for (const data of [1, 2]) {
        await mvpData(gw.app, "s", data);
        await batcher.tick(Date.now());
        inputs.push(
          ctx.outbox.inputs
            .unincluded(10)
            .filter((i) => i.kind === "records")
            .at(-1)!,
        );
      }
      const [early, late] = inputs as [InputRow, InputRow];
      expect(early.id).not.toBe(late.id);
      await mirror.step(Date.now()); // both readings sent: the legacy node accepts them
      expect((await mirrorView(gw.app)).legacy.accepted).toBe(2);

      const accepted = (inputId: number): NodeInput => {
        const r = ctx.outbox.readings.ofInput(inputId)[0]!;
        const records = [{ device: r.device, seq: r.seq, recordHash: recordHash(encodeRecord(r)) }];
        return {
          status: "ACCEPTED",
          notices: [
            {
              index: inputId,
              payload: hex(encodeNotice({ kind: "records_accepted", stateHash: new Uint8Array(32), records })),
            },
          ],
          reports: [],
        };
      };
      const follower = new Follower(ctx, {
        input: async (i) => (i === 0 ? accepted(early.id) : i === 1 ? accepted(late.id) : null),
      });
      const include = (id: number, inputIndex: number) =>
        ctx.outbox.inputs.include(id, {
          txHash: new Uint8Array(32).fill(inputIndex + 1),
          blockNumber: 1,
          inputIndex,
          gasUsed: 1,
          includedMs: Date.now(),
        });
      await include(late.id, 1);
      expect(await follower.step()).toBe(1);
      await mirror.step(Date.now()); // the window reaches input index 1
      expect((await mirrorView(gw.app)).agreements.accepted).toBe(1);

      await include(early.id, 0); // its receipt recorded late
      expect(await follower.step()).toBe(1);
      const [first] = ctx.outbox.readings.ofInput(early.id);
      expect(ctx.outbox.readings.get(first!.device, first!.seq)?.outcome).toBe("accepted");
      await mirror.step(Date.now());
      const missed = (await mirrorView(gw.app)).agreements.accepted; // behind the window: not compared
      for (let pass = 0; pass < 12; pass++) await mirror.step(Date.now());
      const view = await mirrorView(gw.app);
      const metrics = (await gw.app.inject({ method: "GET", url: "/metrics" })).body;
      return { missed, view, metrics };
    };

    const never = await afterLateVerdict(Number.MAX_SAFE_INTEGER);
    expect(never.missed).toBe(1);
    expect(never.view.agreements).toEqual({ accepted: 1, rejected: 0 });
    expect(never.metrics).toContain('lcore_gw_mirror_agreements_total{outcome="accepted"} 1');

    const swept = await afterLateVerdict(5);
    expect(swept.missed).toBe(1);
    expect(swept.view.agreements).toEqual({ accepted: 2, rejected: 0 });
    expect(swept.view.divergences).toEqual({ cartesi_only: 0, legacy_only: 0 });
    expect(swept.metrics).toContain('lcore_gw_mirror_agreements_total{outcome="accepted"} 2');

    expect(() => mirrorSettings({ url: "http://legacy", sweepPasses: 0 })).toThrow(RangeError);
  });

  it("keeps answering 202 while the legacy node is down, retries, loses nothing within the bound; gives up on a failing reading", async () => {
    const legacy = await legacyNode(cleanups);
    legacy.mode = "down";
    legacy.fail.add("poison");
    const gw = await testGateway(cleanups, {
      mirror: { url: legacy.url, pollMs: 20, minBackoffMs: 20, maxBackoffMs: 100, maxAttempts: 2 },
      limits: { mirrorPendingReadings: 3 },
    });
    await gw.app.ready();
    await mvpDevice(gw.app, "a");
    for (let i = 1; i <= 5; i++) await mvpData(gw.app, "a", i);
    await eventually(
      () => ((legacy.hits.get("") ?? 0) >= 3 ? true : undefined),
      20_000,
      "retries against the down node",
    );
    const down = await eventually(
      async () => {
        const v = await mirrorView(gw.app);
        return v.legacy.skipped === 2 ? v : undefined;
      },
      10_000,
      "the oldest two skipped over the bound",
    );
    expect(down).toMatchObject({ pending: 3, legacy: { accepted: 0, refused: 0, failed: 0, skipped: 2 } });
    expect((await gw.app.inject({ method: "GET", url: "/metrics" })).body).toMatch(
      /lcore_gw_mirror_unavailable_total [1-9]/,
    );

    legacy.mode = "up";
    await eventually(() => (legacy.accepted.length === 3 ? true : undefined), 20_000, "the three pending readings");
    expect(legacy.accepted.map((b) => JSON.parse(b).data).sort()).toEqual([3, 4, 5]);

    await mvpDevice(gw.app, "poison");
    await mvpData(gw.app, "poison", 1);
    await mvpData(gw.app, "a", 6);
    const after = await eventually(
      async () => {
        const v = await mirrorView(gw.app);
        return v.legacy.failed === 1 && v.legacy.accepted === 4 ? v : undefined;
      },
      20_000,
      "the poison reading given up, the next one delivered",
    );
    expect(after).toMatchObject({ pending: 0, legacy: { accepted: 4, refused: 0, failed: 1, skipped: 2 } });
    expect(legacy.hits.get("poison")).toBe(2);
  });

  it("starts after the readings already stored: those are the legacy node's past", async () => {
    const legacy = await legacyNode(cleanups);
    const gw = await testGateway(cleanups);
    await mvpDevice(gw.app, "old");
    await mvpData(gw.app, "old", 1);
    expect(await mirrorView(gw.app)).toMatchObject({ enabled: false, pending: 0 });
    await gw.app.close();
    const mirrored = await buildApp({ ...gw.options, mirror: { url: legacy.url, pollMs: 20 } });
    cleanups.push(() => mirrored.close());
    await mirrored.ready();
    await mvpData(mirrored, "old", 2);
    await eventually(
      async () => ((await mirrorView(mirrored)).legacy.accepted === 1 ? true : undefined),
      10_000,
      "the new reading",
    );
    expect(legacy.accepted).toEqual(['{"device_id":"old","data":2}']);
  });

  it("is configured from LCORE_GW_MIRROR_URL", () => {
    const env = {
      LCORE_GW_OWNER_KEY: "33".repeat(32),
      LCORE_GW_OWNER_TOKEN: "t".repeat(20),
      LCORE_GW_SUBMITTER_KEY: "11".repeat(32),
      LCORE_GW_APP: `0x${"22".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
    };
    expect(loadConfig(env).options.mirror).toBeUndefined();
    expect(
      loadConfig({ ...env, LCORE_GW_MIRROR_URL: "http://legacy:3000", LCORE_GW_MIRROR_CONCURRENCY: "2" }).options
        .mirror,
    ).toEqual({ url: "http://legacy:3000", pollMs: 250, timeoutMs: 5000, concurrency: 2, maxAttempts: 5 });
    expect(() => loadConfig({ ...env, LCORE_GW_MIRROR_URL: "legacy:3000" })).toThrow(
      /LCORE_GW_MIRROR_URL must be an http/,
    );
  });
});
