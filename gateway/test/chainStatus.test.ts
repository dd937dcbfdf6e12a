// The gateway follows the chain about its devices: a registration the dApp rejected (read
// by the follower) or a device_revoked notice (read by the settlement follower, whichever
// relayer sent the revocation) marks the device. New readings then get a typed 409 on every
// reading route, the device's status shows the mark, and its queued readings end rejected
// with the reason instead of being packed. A key_rotated notice moves the device's key, so
// its readings verify against the new key, as the dApp's records do. The node is a fake reader.

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { encodeNotice } from "@lcore/protocol/notices";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { effectiveMark } from "../src/devices/deviceRegistry.js";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { Follower } from "../src/chain/follower.js";
import type { NodeInput, NodeOutput, OutputReader } from "../src/chain/nodeReader.js";
import { SettlementFollower } from "../src/settlement/settlementFollower.js";
import { SimDevice } from "../src/sim/device.js";
import { auth, type TestGateway, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as const;
const report = (o: object) => ({ payload: hex(Buffer.from(JSON.stringify(o))) });
const ACCEPTED: NodeInput = { status: "ACCEPTED", notices: [], reports: [] };

/** Packs what is queued now into inputs (the batcher, no delay). */
const pack = (gw: TestGateway) => new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 0 })).tick(Date.now());

/** Marks every unincluded input mined, at input indexes from `from` on. */
async function mine(gw: TestGateway, from: number): Promise<void> {
  const { outbox } = gw.app.gateway;
  let index = from;
  for (const input of outbox.inputs.unincluded(100)) {
    await outbox.inputs.include(input.id, {
      txHash: new Uint8Array(32).fill(index + 1),
      blockNumber: 10 + index,
      inputIndex: index,
      gasUsed: 1,
      includedMs: 0,
    });
    index++;
  }
}

/** The follower over a fake node: `answer` gives the verdict of each mined input (null: not processed yet). */
function follower(gw: TestGateway, answer: (kind: string, index: number) => NodeInput | null): Follower {
  const { outbox } = gw.app.gateway;
  return new Follower(gw.app.gateway, { input: async (i) => answer(outbox.inputs.byInputIndex(i)!.kind, i) });
}

const post = (gw: TestGateway, body: object, url = "/v1/readings") =>
  gw.app.inject({ method: "POST", url, payload: body });
const readingStatus = async (gw: TestGateway, d: SimDevice, seq: number) =>
  (await gw.app.inject({ method: "GET", url: `/v1/readings/${d.hex}/${seq}` })).json();
const deviceStatus = async (app: TestGateway["app"], d: SimDevice) =>
  (await app.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth })).json();

describe("a registration the dApp rejected", () => {
  it("marks the device with the dApp's reason; its readings are refused (409), the queued ones withdrawn, across a restart", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const other = await gw.device();
    // Reading 1 is packed and mined (in flight); reading 2 is still queued.
    expect((await post(gw, d.reading())).statusCode).toBe(202);
    await pack(gw);
    await mine(gw, 0); // registrations of d and other at 0 and 1, the batch at 2
    expect((await post(gw, d.reading())).statusCode).toBe(202);
    expect(await deviceStatus(gw.app, d)).toMatchObject({ chainStatus: "pending" });

    // The dApp rejects d's registration (someone registered the address first), accepts other's.
    const rejected: NodeInput = {
      status: "REJECTED",
      notices: [],
      reports: [report({ type: "rejected", input: "0", reason: "device_exists", detail: "" })],
    };
    expect(await follower(gw, (_kind, i) => (i === 0 ? rejected : i === 1 ? ACCEPTED : null)).step()).toBe(2);

    expect(await deviceStatus(gw.app, d)).toMatchObject({
      chainStatus: "registration_rejected",
      chainReason: "device_exists",
    });
    expect(await deviceStatus(gw.app, other)).toMatchObject({ chainStatus: "registered" });
    expect((await deviceStatus(gw.app, other)).chainReason).toBeUndefined();
    // The console's overview says the same.
    const overview = (await gw.app.inject({ method: "GET", url: "/v1/overview" })).json();
    expect(overview.devices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ device: d.hex, chainStatus: "registration_rejected", chainReason: "device_exists" }),
        expect.objectContaining({ device: other.hex, chainStatus: "registered" }),
      ]),
    );
    // The queued reading ends rejected with the reason; the one in flight waits for the dApp's verdict on its batch.
    expect(await readingStatus(gw, d, 2)).toMatchObject({
      status: "rejected",
      reason: "registration_rejected:device_exists",
    });
    expect(await readingStatus(gw, d, 1)).toMatchObject({ status: "included", inputIndex: 2 });
    expect(gw.app.gateway.outbox.queued).toBe(0);
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(0);

    // New readings: 409 with the reason, alone and in a batch (the error names the index).
    const one = await post(gw, d.reading());
    expect(one.statusCode).toBe(409);
    expect(one.json()).toMatchObject({
      code: "LCORE_GW_DEVICE_REGISTRATION_REJECTED",
      device: d.hex,
      chainStatus: "registration_rejected",
      reason: "device_exists",
    });
    expect(one.json().message).toContain("device_exists");
    const batch = await post(gw, { readings: [other.reading(), d.reading()] }, "/v1/readings/batch");
    expect(batch.statusCode).toBe(409);
    expect(batch.json()).toMatchObject({
      code: "LCORE_GW_DEVICE_REGISTRATION_REJECTED",
      index: 1,
      reason: "device_exists",
    });
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(0); // the batch stored nothing

    // Nothing of d's is packed any more, and the withdrawal is counted.
    expect(await pack(gw)).toBe(0);
    const metrics = (await gw.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain(
      'lcore_gw_reading_outcomes_total{outcome="rejected",reason="registration_rejected:device_exists"} 1',
    );

    // The mark is in the outbox: a restart keeps it.
    await gw.app.close();
    const again = await buildApp(gw.options);
    cleanups.push(() => again.close());
    expect(await deviceStatus(again, d)).toMatchObject({
      chainStatus: "registration_rejected",
      chainReason: "device_exists",
    });
    const after = await again.inject({ method: "POST", url: "/v1/readings", payload: d.reading() });
    expect(after.json().code).toBe("LCORE_GW_DEVICE_REGISTRATION_REJECTED");
    expect((await again.inject({ method: "GET", url: `/v1/readings/${d.hex}/2` })).json()).toMatchObject({
      status: "rejected",
    });
  });

  it("refuses the MVP data route too, and a reading that slipped in before the mark is withdrawn by the batcher", async () => {
    const gw = await testGateway(cleanups);
    expect(
      (await gw.app.inject({ method: "POST", url: "/device/register", payload: { device_id: "s-1", public_key: "k" } }))
        .statusCode,
    ).toBe(201);
    const state = gw.app.gateway.registry.byMvpId("s-1")!;
    await mine(gw, 0);
    const exception: NodeInput = { status: "EXCEPTION", notices: [], reports: [] };
    expect(await follower(gw, () => exception).step()).toBe(1);
    expect(state.chainMark).toEqual({ status: "registration_rejected", reason: "exception" });

    const mvp = await gw.app.inject({ method: "POST", url: "/device/data", payload: { device_id: "s-1", data: 1 } });
    expect(mvp.statusCode).toBe(409);
    expect(mvp.json().code).toBe("LCORE_GW_DEVICE_REGISTRATION_REJECTED");
    // The migration route skips its rows with a stable reason rather than failing the request.
    const row = { device_id: "s-1", row_id: "1", submission_date: "1700000000", transaction_hash: null, data: "0x31" };
    const migrated = await gw.app.inject({
      method: "POST",
      url: "/v1/migration/readings",
      headers: auth,
      payload: { rows: [row] },
    });
    expect(migrated.json().rows).toEqual([{ row_id: "1", outcome: "skipped", reason: "device_refused" }]);

    // A reading that passed ingest before the mark reached memory lands queued after it.
    const { outbox } = gw.app.gateway;
    await outbox.append([
      {
        device: state.address,
        seq: 1n,
        timestamp: 1n,
        bodyHash: new Uint8Array(32),
        digest: new Uint8Array(32),
        signature: new Uint8Array(64),
        sealed: new Uint8Array(60),
        receivedMs: 0,
      },
    ]);
    expect(outbox.queued).toBe(1);
    expect(await pack(gw)).toBe(0);
    expect(outbox.queued).toBe(0);
    expect(outbox.readings.get(state.address, 1n)).toMatchObject({
      inputId: null,
      outcome: "rejected",
      reason: "registration_rejected:exception",
    });
    expect(outbox.inputs.unincluded(10)).toEqual([]);
  });
});

describe("a device revoked on chain", () => {
  const revokedNotice = (index: number, device: Uint8Array): NodeOutput => {
    const payload = hex(encodeNotice({ kind: "device_revoked", stateHash: new Uint8Array(32), device }));
    return {
      index,
      epochIndex: 0,
      raw: payload,
      decoded: { type: "Notice", payload },
      siblings: null,
      executionTxHash: null,
    };
  };

  it("a device_revoked notice from any relayer marks the device: 409, queued readings withdrawn; other devices untouched", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const other = await gw.device();
    expect((await post(gw, d.reading())).statusCode).toBe(202);
    expect((await post(gw, other.reading())).statusCode).toBe(202);
    const stranger = new Uint8Array(20).fill(7); // not a device of this gateway
    const outputs = [revokedNotice(0, stranger), revokedNotice(1, d.address)];
    const reader: OutputReader = {
      outputs: async (o, l) => outputs.slice(o, o + l),
      output: async () => null,
      epochStatus: async () => null,
    };
    expect(await new SettlementFollower(gw.app.gateway, reader).step()).toBe(2);

    expect(await deviceStatus(gw.app, d)).toMatchObject({ chainStatus: "revoked", chainReason: "device_revoked" });
    expect(await deviceStatus(gw.app, other)).toMatchObject({ chainStatus: "pending" });
    expect(await readingStatus(gw, d, 1)).toMatchObject({ status: "rejected", reason: "device_revoked" });
    expect(await readingStatus(gw, other, 1)).toMatchObject({ status: "queued" });
    const res = await post(gw, d.reading());
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_DEVICE_REVOKED", chainStatus: "revoked" });
    expect((await post(gw, other.reading())).statusCode).toBe(202);
    expect(gw.app.gateway.outbox.queued).toBe(2);
  });

  it("a rejected registration outranks a revocation: the revoked device was someone else's registration of the address", () => {
    const rejected = { status: "registration_rejected", reason: "device_exists" } as const;
    const revoked = { status: "revoked", reason: "device_revoked" } as const;
    expect(effectiveMark(revoked, rejected)).toEqual(rejected);
    expect(effectiveMark(rejected, revoked)).toEqual(rejected);
    expect(effectiveMark(null, revoked)).toEqual(revoked);
  });
});

describe("a key rotated on chain", () => {
  const rotatedNotice = (index: number, device: Uint8Array, newPublicKey: Uint8Array): NodeOutput => {
    const payload = hex(
      encodeNotice({ kind: "key_rotated", stateHash: new Uint8Array(32), device, newPublicKey, nonce: 1n }),
    );
    return {
      index,
      epochIndex: 0,
      raw: payload,
      decoded: { type: "Notice", payload },
      siblings: null,
      executionTxHash: null,
    };
  };

  it("a key_rotated notice from any relayer moves the device to its new key: the new key's readings are taken, the old key's refused, across a restart", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const other = await gw.device();
    const next = new SimDevice(secp256k1.utils.randomSecretKey(), d.address); // the new key; the address stays
    expect((await post(gw, d.reading())).statusCode).toBe(202);
    const outputs = [rotatedNotice(0, d.address, next.publicKey)];
    const reader: OutputReader = {
      outputs: async (o, l) => outputs.slice(o, o + l),
      output: async () => null,
      epochStatus: async () => null,
    };
    expect(await new SettlementFollower(gw.app.gateway, reader).step()).toBe(1);

    expect(await deviceStatus(gw.app, d)).toMatchObject({ publicKey: hex(next.publicKey) });
    next.seq = d.seq;
    const old = await post(gw, d.reading());
    expect(old.statusCode).toBe(422);
    expect(old.json().code).toBe("LCORE_GW_SIGNATURE_INVALID");
    expect((await post(gw, next.reading())).statusCode).toBe(202);
    expect((await post(gw, other.reading())).statusCode).toBe(202); // other devices keep their keys

    await gw.app.close();
    const again = await buildApp(gw.options);
    cleanups.push(() => again.close());
    expect(await deviceStatus(again, d)).toMatchObject({ publicKey: hex(next.publicKey) });
    expect((await again.inject({ method: "POST", url: "/v1/readings", payload: next.reading() })).statusCode).toBe(202);
  });
});
