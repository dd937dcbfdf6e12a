// The console's fleet routes (console/fleetRoutes.ts) over a seeded outbox (bench/seedFleet.mjs,
// at a small size): keyset paging visits every device once and in order; the search and
// each filter return exactly the devices the seed made so; a device whose readings the dApp
// rejects is not `ok` and its last seq counts accepted readings only; values need the owner
// token and are the seeded ones; the health strip turns to an alarm when the Cartesi path is
// paused, and when the application accepted nothing it judged.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type GatewayApp } from "../src/app.js";
import { rejectsEverything } from "../src/console/healthStrip.js";
import { addressRange } from "../src/console/fleetQuery.js";
import { metadataHints } from "../src/console/deviceSummary.js";
import { loadConfig } from "../src/config.js";
import { openOutboxDb } from "../src/outbox/database.js";
import { SimDevice } from "../src/sim/device.js";
import { toHex } from "@lcore/protocol/bytes";
import { decodeInput } from "@lcore/protocol/input";
import { FleetStore } from "../src/outbox/fleetStore.js";
import { Sealer } from "../src/readings/sealer.js";
import { Secret } from "../src/util/secrets.js";
// @ts-expect-error: a plain ESM script without type declarations
import { seedFleet } from "../bench/seedFleet.mjs";
import { type Cleanup, runCleanups, tempDir } from "./helpers/tempDir.js";

const DEVICES = 200;
/** Whole rounds (each device's reading k, for k below ROUNDS), so the last seqs are known. */
const ROUNDS = 20;
const TOKEN = "console-test-owner-token";
const NOW_MS = Date.UTC(2026, 11, 7, 12, 0, 0);
const auth = { authorization: `Bearer ${TOKEN}` };

const cleanups: Cleanup[] = [];
let app: GatewayApp;
let addresses: string[];
let rounds: number;
afterAll(() => runCleanups(cleanups));

beforeAll(async () => {
  const path = `${tempDir(cleanups)}/outbox.db`;
  const seeded = seedFleet({
    path,
    devices: DEVICES,
    readings: DEVICES * ROUNDS,
    rounds: ROUNDS,
    nowMs: NOW_MS,
    gateway: { openOutboxDb, Sealer, Secret },
  });
  addresses = seeded.addresses;
  rounds = seeded.rounds;
  app = await buildApp({
    outboxPath: path,
    ownerKey: new Secret(seeded.ownerKey),
    ownerToken: new Secret(TOKEN),
    submitterKey: new Secret(`0x${"11".repeat(32)}` as const),
    app: `0x${Buffer.from(seeded.app).toString("hex")}`,
    chainId: 31337n,
    nowMs: () => NOW_MS,
  });
  cleanups.push(() => app.close());
});

const get = async (url: string, headers = {}) => {
  const res = await app.inject({ method: "GET", url, headers });
  return { status: res.statusCode, body: res.json() };
};

/** Every device the query lists, following `next` page by page. */
async function all(query: string, limit = 37): Promise<string[]> {
  const out: string[] = [];
  let after = "";
  for (let pages = 0; pages < 100; pages++) {
    const { status, body } = await get(`/v1/console/devices?limit=${limit}${query}${after}`);
    expect(status).toBe(200);
    expect(body.devices.length).toBeLessThanOrEqual(limit);
    out.push(...body.devices.map((d: { device: string }) => d.device));
    if (body.next === null) return out;
    after = `&after=${body.next}`;
  }
  throw new Error("more than 100 pages");
}

const seeded = (pick: (i: number) => boolean) => addresses.filter((_, i) => pick(i)).sort((a, b) => (a < b ? -1 : 1));

describe("the device list", () => {
  it("pages through every device once, in address order", async () => {
    const listed = await all("");
    expect(listed).toEqual([...addresses].sort());
  });

  it("finds devices by address prefix, by metadata and by seq", async () => {
    const prefix = addresses[5]!.slice(0, 4);
    expect(await all(`&q=${prefix}`)).toEqual(seeded((i) => addresses[i]!.startsWith(prefix)));
    expect(await all(`&q=${addresses[5]}`)).toEqual([addresses[5]]);
    expect(await all("&q=SN-100042")).toEqual([addresses[42]]);
    // site-3 is every 97th device from 3; the LIKE's wildcards in the search are literal.
    expect(await all(`&q=${encodeURIComponent('"site-3"')}`)).toEqual(seeded((i) => i % 97 === 3));
    expect(await all("&q=%25")).toEqual([]);
    // Every device sent seq 1; only the ones that did not go silent sent the last round.
    expect(await all("&seq=1")).toEqual([...addresses].sort());
    expect(await all(`&seq=${rounds}`)).toEqual(seeded((i) => i % 50 !== 3));
  });

  it("filters: rejected, silent, not settled, status", async () => {
    expect(await all("&rejected=1")).toEqual(seeded((i) => i % 100 === 7));
    expect(await all("&silentSeconds=36000")).toEqual(seeded((i) => i % 50 === 3));
    expect(await all("&unsettled=1")).toEqual(seeded((i) => i % 20 === 11));
    expect(await all("&status=registered")).toHaveLength(DEVICES);
    expect(await all("&status=revoked")).toEqual([]);
    expect(await all("&rejected=1&q=SN-100007")).toEqual([addresses[7]]);
  });

  it("bounds the devices a not-settled page examines, and resumes where it stopped", () => {
    const fleet = new FleetStore(app.gateway.outbox.db);
    const found: string[] = [];
    let after: Uint8Array | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const { rows, scannedTo } = fleet.page({ unsettled: true, limit: 3, scan: 25, ...(after ? { after } : {}) });
      found.push(...rows.slice(0, 3).map((r) => `0x${r.address.toString("hex")}`));
      const next = rows.length > 3 ? rows[2]!.address : scannedTo;
      if (next === null) break;
      after = new Uint8Array(next);
    }
    expect(found).toEqual(seeded((i) => i % 20 === 11));
  });

  it("refuses a malformed query with the typed error", async () => {
    for (const q of ["limit=x", "status=green", "after=0x12", "seq=18446744073709551616", "other=1"]) {
      const { status, body } = await get(`/v1/console/devices?${q}`);
      expect(status, q).toBe(400);
      expect(body.code, q).toBe("LCORE_GW_INVALID_REQUEST");
    }
  });

  it("does not show a device green while the dApp rejects its readings, and counts only accepted seqs", async () => {
    const { body } = await get(`/v1/console/devices?q=${addresses[7]}`);
    const d = body.devices[0];
    expect(d.state).toBe("rejecting");
    expect(d.lastReason).toBe("bad_signature");
    // Rejected from round 3/4 on: the last accepted seq is below the last seq sent.
    const lastAccepted = Math.ceil((rounds * 3) / 4);
    expect(d.lastSeq).toBe(String(lastAccepted));
    expect(d.rejected).toBe(rounds - lastAccepted);
    const ok = (await get(`/v1/console/devices?q=${addresses[8]}`)).body.devices[0];
    expect(ok).toMatchObject({ state: "ok", lastSeq: String(rounds), rejected: 0, unit: "°C", decimals: 2 });
    // Queued readings do not count either.
    const queued = (await get(`/v1/console/devices?q=${addresses[11]}`)).body.devices[0];
    expect(queued.lastSeq).toBe(String(rounds - 2));
  });
});

describe("a device's page", () => {
  it("lists its days with their readings, reject reasons and which days may be disclosed", async () => {
    const { status, body } = await get(`/v1/console/devices/${addresses[7]}`);
    expect(status).toBe(200);
    expect(body.rejectReasons).toEqual([{ reason: "bad_signature", count: body.rejected }]);
    expect(body.days.reduce((n: number, d: { readings: number }) => n + d.readings, 0)).toBe(rounds);
    const today = Math.floor(NOW_MS / 86_400_000);
    for (const d of body.days) expect(d.disclosable).toBe(d.day < today);
    expect(body.publicKey).toMatch(/^0x[0-9a-f]{128}$/);
    expect((await get(`/v1/console/devices/0x${"00".repeat(20)}`)).body.code).toBe("LCORE_GW_DEVICE_UNKNOWN");
  });

  it("pages its readings newest first, and gives values only with the owner token", async () => {
    const first = await get(`/v1/console/devices/${addresses[8]}/readings?limit=5`);
    expect(first.body.readings.map((r: { seq: string }) => r.seq)).toEqual(
      [0, 1, 2, 3, 4].map((k) => String(rounds - k)),
    );
    expect(first.body.readings[0].status).toBe("settled");
    const second = await get(`/v1/console/devices/${addresses[8]}/readings?limit=5&before=${first.body.next}`);
    expect(second.body.readings[0].seq).toBe(String(rounds - 5));

    const url = `/v1/console/devices/${addresses[8]}/values?limit=3`;
    expect((await get(url)).body.code).toBe("LCORE_GW_UNAUTHORIZED");
    const values = await get(url, auth);
    expect(values.status).toBe(200);
    // The seed's value of device i, round k: 2000 + (7i + 13k) mod 900.
    expect(values.body.values.map((v: { value: string }) => v.value)).toEqual(
      [1, 2, 3].map((n) => String(2000 + ((8 * 7 + (rounds - n) * 13) % 900))),
    );
  });
});

describe("owner actions", () => {
  it("queue a revocation and a key rotation as inputs the device page lists, only with the owner token", async () => {
    const device = addresses[9]!;
    const post = (action: string, payload?: unknown, headers = {}) =>
      app.inject({
        method: "POST",
        url: `/v1/console/devices/${device}/${action}`,
        headers,
        ...(payload ? { payload } : {}),
      });
    expect((await post("revoke")).json().code).toBe("LCORE_GW_UNAUTHORIZED");
    const revoked = await post("revoke", undefined, auth);
    expect(revoked.statusCode).toBe(202);
    const fresh = SimDevice.fromSeed("rotation", 1);
    const proof = `0x${"01".repeat(64)}`;
    const badKey = await post("rotate", { publicKey: `0x${"00".repeat(64)}`, proof }, auth);
    expect(badKey.json().code).toBe("LCORE_GW_PUBLIC_KEY_INVALID");
    const rotated = await post("rotate", { publicKey: toHex(fresh.publicKey), proof }, auth);
    expect(rotated.statusCode).toBe(202);
    for (const [answer, kind] of [
      [revoked, "device_revocation"],
      [rotated, "key_rotation"],
    ] as const) {
      const input = app.gateway.outbox.inputs.get(answer.json().id)!;
      expect(input.kind).toBe("device_op");
      const decoded = decodeInput(input.payload);
      expect(decoded).toMatchObject({ kind, auth: { kind: "sender" } });
      expect(toHex((decoded as { device: Uint8Array }).device)).toBe(device);
    }
    const page = (await get(`/v1/console/devices/${device}`)).body;
    expect(page.ownerActions.map((a: { action: string; status: string }) => [a.action, a.status])).toEqual([
      ["rotate", "queued"],
      ["revoke", "queued"],
    ]);
    expect(page.ownerOpNonce).toBe(0);
    expect((await get(`/v1/console/devices/${addresses[10]}`)).body.ownerActions).toEqual([]);
  });
});

describe("the health strip", () => {
  it("turns to an alarm while the Cartesi path is paused", async () => {
    const before = (await get("/v1/console/health")).body;
    expect(before.cartesiPaused).toBe(false);
    expect(before.alarms.map((a: { code: string }) => a.code)).not.toContain("cartesi_paused");
    expect(before.outbox.queuedReadings).toBe(2 * seeded((i) => i % 20 === 11).length);
    expect(before.lastSettlement.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    // The last hour holds the last round: the rejecting devices' readings rejected, the rest
    // accepted but for the silent devices (none) and those whose readings are still queued.
    const rejecting = seeded((i) => i % 100 === 7).length;
    expect(before.lastHour).toMatchObject({
      inputsRejected: 0,
      readingsRejected: rejecting,
      readingsAccepted: DEVICES - rejecting - seeded((i) => i % 50 === 3 || i % 20 === 11).length,
      readingReasons: [{ reason: "bad_signature", count: rejecting }],
    });
    expect(before.level).toBe("ok");
    await app.gateway.cartesi.set(true);
    const paused = (await get("/v1/console/health")).body;
    expect(paused.level).toBe("alarm");
    expect(paused.alarms.map((a: { code: string }) => a.code)).toContain("cartesi_paused");
    await app.gateway.cartesi.set(false);
    expect((await get("/v1/console/health")).body.alarms).toEqual([]);
  });

  it("calls it an alarm when the application accepted nothing it judged", () => {
    const none = {
      inputsAccepted: 0,
      inputsRejected: 0,
      inputReasons: [],
      readingsAccepted: 0,
      readingsRejected: 0,
      readingReasons: [],
    };
    expect(rejectsEverything(none)).toBe(false);
    expect(rejectsEverything({ ...none, inputsRejected: 3 })).toBe(true);
    expect(rejectsEverything({ ...none, inputsAccepted: 3, readingsRejected: 300 })).toBe(true);
    expect(rejectsEverything({ ...none, inputsAccepted: 3, readingsRejected: 300, readingsAccepted: 1 })).toBe(false);
  });
});

describe("helpers", () => {
  it("takes the explorer's transaction page from LCORE_GW_EXPLORER_TX_URL, and refuses one without {tx}", async () => {
    const env = {
      LCORE_GW_OWNER_KEY: "33".repeat(32),
      LCORE_GW_OWNER_TOKEN: "t".repeat(20),
      LCORE_GW_SUBMITTER_KEY: "11".repeat(32),
      LCORE_GW_APP: `0x${"22".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
    };
    expect(loadConfig(env).options.console).toBeUndefined();
    const url = "https://explorer.example/tx/{tx}";
    expect(loadConfig({ ...env, LCORE_GW_EXPLORER_TX_URL: url }).options.console).toEqual({ explorerTxUrl: url });
    expect(() => loadConfig({ ...env, LCORE_GW_EXPLORER_TX_URL: "https://explorer.example/tx/" })).toThrow(
      /LCORE_GW_EXPLORER_TX_URL/,
    );
    expect((await get("/v1/console/settings")).body.explorerTxUrl).toBeNull();
  });

  it("turns a hex prefix into the address range it covers", () => {
    const r = addressRange("ab");
    expect(Buffer.from(r.from).toString("hex")).toBe(`ab${"00".repeat(19)}`);
    expect(Buffer.from(r.to!).toString("hex")).toBe(`ac${"00".repeat(19)}`);
    expect(addressRange("fff").to).toBeNull();
    expect(Buffer.from(addressRange("a").to!).toString("hex")).toBe(`b${"0".repeat(39)}`);
  });

  it("reads the unit and decimals from JSON or key=value metadata, and nothing from anything else", () => {
    expect(metadataHints('{"unit":"kWh","decimals":3}')).toEqual({ unit: "kWh", decimals: 3 });
    expect(metadataHints("type=meter; unit=m3; decimals=2")).toEqual({ unit: "m3", decimals: 2 });
    expect(metadataHints("just a label")).toEqual({ unit: null, decimals: 0 });
    expect(metadataHints('{"decimals":99}')).toEqual({ unit: null, decimals: 0 });
  });
});
