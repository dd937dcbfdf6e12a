// The fleet's rules without a chain: the shard rule (against viem's keccak, an independent
// implementation), its spread, what a request is routed by, that a registered device stays
// where it is when shards are added, the fleet's configuration from the environment, and the
// front answering and routing with no chain (two shards, no pipelines).

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { keccak256 } from "viem";
import { generatePrivateKey } from "viem/accounts";
import type { GatewayContext } from "../src/context.js";
import { buildFleetApp } from "../src/fleet/fleetApp.js";
import { loadFleetConfig } from "../src/fleet/fleetConfig.js";
import { devicesOf, shardOfDevice } from "../src/fleet/fleetRouter.js";
import { MAX_SHARDS, shardForNewDevice } from "../src/fleet/shardRule.js";
import { SimDevice } from "../src/sim/device.js";
import { Secret } from "../src/util/secrets.js";
import { OWNER_TOKEN, auth, testOptions } from "./helpers/gateway.js";
import { type Cleanup, runCleanups, tempDir } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterAll(() => runCleanups(cleanups));

const address = (i: number): Uint8Array =>
  Uint8Array.from(Buffer.from(keccak256(`0x${i.toString(16).padStart(8, "0")}`).slice(26), "hex"));

describe("the shard rule", () => {
  it("is the first 8 bytes of keccak256(address), big-endian, modulo the shard count", () => {
    for (let i = 0; i < 50; i++) {
      const a = address(i);
      const prefix = BigInt(keccak256(a).slice(0, 18));
      for (const n of [1, 2, 3, 7, 256]) expect(shardForNewDevice(a, n)).toBe(Number(prefix % BigInt(n)));
    }
  });

  it("spreads devices evenly", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardForNewDevice(address(i), 3)]! += 1;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it("refuses what is not a device address or a shard count", () => {
    expect(() => shardForNewDevice(new Uint8Array(19), 2)).toThrow(RangeError);
    expect(() => shardForNewDevice(address(1), 0)).toThrow(RangeError);
    expect(() => shardForNewDevice(address(1), MAX_SHARDS + 1)).toThrow(RangeError);
  });

  it("keeps a registered device in its shard when a shard is added; places new ones over all", () => {
    const hex = (a: Uint8Array) => `0x${Buffer.from(a).toString("hex")}`;
    // A device the rule puts in shard 0 of 2 but in shard 2 of 3.
    let i = 0;
    while (!(shardForNewDevice(address(i), 2) === 0 && shardForNewDevice(address(i), 3) === 2)) i++;
    const registered = new Set([hex(address(i))]);
    const shard = (holds: boolean) => ({
      registry: { get: (d: string) => (holds && registered.has(d) ? {} : undefined) },
    });
    const three = [shard(true), shard(false), shard(false)] as unknown as GatewayContext[];
    expect(shardOfDevice(three, hex(address(i)))).toBe(0);
    const fresh = address(i + 1000);
    expect(shardOfDevice(three, hex(fresh))).toBe(shardForNewDevice(fresh, 3));
  });
});

describe("routing", () => {
  const d = SimDevice.fromSeed("fleet-unit", 0);
  it("takes the device from the path, the body's device, its public key, or every reading's device", () => {
    expect(devicesOf(`/v1/readings/${d.hex}/3/proof`, undefined)).toEqual([d.hex]);
    expect(devicesOf(`/v1/devices/${d.hex.toUpperCase().replace("0X", "0x")}`, undefined)).toEqual([d.hex]);
    expect(devicesOf("/v1/readings", { device: d.hex })).toEqual([d.hex]);
    expect(devicesOf("/v1/devices", { publicKey: `0x${Buffer.from(d.publicKey).toString("hex")}` })).toEqual([d.hex]);
    const e = SimDevice.fromSeed("fleet-unit", 1);
    expect(
      devicesOf("/v1/readings/batch", { readings: [{ device: d.hex }, { device: e.hex }, { device: d.hex }] }),
    ).toEqual([d.hex, e.hex]);
    expect(devicesOf("/v1/disclosures/4", undefined)).toBeUndefined();
    expect(devicesOf("/v1/readings", { device: "0x12" })).toBeUndefined();
  });
});

describe("configuration", () => {
  const base = {
    LCORE_GW_CHAIN_ID: "31337",
    LCORE_GW_OWNER_KEY: randomBytes(32).toString("hex"),
    LCORE_GW_OWNER_TOKEN: OWNER_TOKEN,
    LCORE_GW_DATA_DIR: "/data/gw",
  };
  const apps = [`0x${"11".repeat(20)}`, `0x${"22".repeat(20)}`];
  const keys = [generatePrivateKey(), generatePrivateKey()];

  it("is off without LCORE_GW_FLEET_APPS, and gives each shard its application, outbox and keys", () => {
    expect(loadFleetConfig(base)).toBeUndefined();
    const config = loadFleetConfig({
      ...base,
      LCORE_GW_FLEET_APPS: apps.join(","),
      LCORE_GW_FLEET_SUBMITTER_KEYS: keys.join("\n"),
      LCORE_GW_PORT: "3100",
    })!;
    expect(config.listen.port).toBe(3100);
    expect(config.options.shards.map((s) => s.app)).toEqual(apps);
    expect(config.options.shards.map((s) => s.outboxPath)).toEqual([
      "/data/gw/shard-0/outbox.db",
      "/data/gw/shard-1/outbox.db",
    ]);
    expect(config.options.shards.map((s) => s.submitterKey.reveal())).toEqual(keys);
  });

  it("follows each shard's own GraphQL endpoint", () => {
    const config = loadFleetConfig({
      ...base,
      LCORE_GW_FLEET_APPS: apps.join(","),
      LCORE_GW_FLEET_SUBMITTER_KEYS: keys.join(","),
      LCORE_GW_NODE_URL: "http://node:8080/graphql",
      LCORE_GW_NODE_API: "graphql",
    })!;
    expect(config.options.shards.map((s) => s.follower?.url)).toEqual(apps.map((a) => `http://node:8080/graphql/${a}`));
  });

  it("refuses a key list of the wrong length or with a key twice, never printing a key", () => {
    const load = (submitters: string[]) => () =>
      loadFleetConfig({
        ...base,
        LCORE_GW_FLEET_APPS: apps.join(","),
        LCORE_GW_FLEET_SUBMITTER_KEYS: submitters.join(","),
      });
    expect(load([keys[0]!])).toThrow(/must hold 2 keys/);
    expect(load([keys[0]!, keys[0]!])).toThrow(/must be distinct/);
    for (const attempt of [load([keys[0]!]), load([keys[0]!, keys[0]!])]) {
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(keys[0]!.slice(2));
      }
    }
    expect(() =>
      loadFleetConfig({ ...base, LCORE_GW_FLEET_APPS: "0x12", LCORE_GW_FLEET_SUBMITTER_KEYS: keys[0] }),
    ).toThrow(/LCORE_GW_FLEET_APPS/);
  });
});

describe("the front without a chain", () => {
  it("registers in the rule's shard, routes readings there, refuses mixed batches, and merges /metrics", async () => {
    const ownerKey = new Secret(new Uint8Array(randomBytes(32)));
    const shards = [0, 1].map(() =>
      testOptions(tempDir(cleanups), { ownerKey, submitterKey: new Secret(generatePrivateKey()) }),
    );
    const fleet = await buildFleetApp({ shards });
    cleanups.push(() => fleet.close());
    const devices = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => SimDevice.fromSeed("fleet-front", k));
    for (const d of devices) {
      const info = (await fleet.inject({ method: "GET", url: `/v1/info?device=${d.hex}` })).json();
      expect(info.shard).toBe(shardForNewDevice(d.address, 2));
      const res = await fleet.inject({
        method: "POST",
        url: "/v1/devices",
        headers: auth,
        payload: d.registration(info),
      });
      expect(res.statusCode).toBe(201);
      expect(fleet.fleet.shards[info.shard]!.gateway.registry.get(d.hex)).toBeDefined();
    }
    const [a, b] = [0, 1].map((s) => devices.find((d) => shardForNewDevice(d.address, 2) === s)!);
    const one = await fleet.inject({ method: "POST", url: "/v1/readings", payload: a!.reading() });
    expect(one.statusCode).toBe(202);
    expect(fleet.fleet.shards[shardForNewDevice(a!.address, 2)]!.gateway.outbox.queued).toBe(1);
    const mixed = await fleet.inject({
      method: "POST",
      url: "/v1/readings/batch",
      payload: { readings: [a!.reading(), b!.reading()] },
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().code).toBe("LCORE_GW_FLEET_MIXED_BATCH");
    // A shard's own errors come through unchanged.
    const stale = await fleet.inject({ method: "POST", url: "/v1/readings", payload: a!.reading({ seq: 1n }) });
    expect(stale.json().code).toBe("LCORE_GW_SEQ_STALE");
    const unknown = await fleet.inject({ method: "GET", url: "/v1/fleet/shards/2/v1/info" });
    expect(unknown.json().code).toBe("LCORE_GW_FLEET_SHARD_UNKNOWN");
    const viaShard = await fleet.inject({ method: "GET", url: `/v1/fleet/shards/1/v1/info` });
    expect(viaShard.json().app).toBe(shards[1]!.app.toLowerCase());
    const metrics = (await fleet.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/lcore_gw_outbox_queued_readings\{shard="\d"\} 1/);
    expect(metrics).toContain("lcore_gw_fleet_shards 2");
    expect(metrics.match(/^# HELP lcore_gw_outbox_queued_readings /gm)).toHaveLength(1);
    const panel = (await fleet.inject({ method: "GET", url: "/v1/fleet" })).json();
    expect(panel.shards.map((s: { devices: number }) => s.devices).reduce((x: number, y: number) => x + y)).toBe(8);
    expect((await fleet.inject({ method: "GET", url: "/console/fleet" })).headers["content-type"]).toMatch(
      /text\/html/,
    );
  });
});
