// The device-format routes without a chain (issue 28, PROTOCOL §12): what /v1/task and
// /advance refuse and how they answer retries, restarts and the owner's choices.
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "@lcore/protocol/bytes";
import { p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import { deviceAddress } from "@lcore/protocol/deviceMessage";
import { buildApp } from "../src/app.js";
import { auth, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";
import {
  es256Jws,
  ioidDevice,
  ioidRequest,
  ioidSignResponse,
  sdkAdvanceBody,
  sdkDevice,
  sdkDidDocument,
} from "../../protocol/test/firmware.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));
const now = Math.floor(Date.now() / 1000);

type Gw = Awaited<ReturnType<typeof testGateway>>;
const post = (gw: Gw, url: string, body: string | Uint8Array) =>
  gw.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: Buffer.from(body) });

async function registerIoid(gw: Gw, dev: ReturnType<typeof ioidDevice>) {
  const hex = (await gw.app.inject({ method: "GET", url: "/v1/ioid/proof-request", headers: auth })).json().hex;
  const { sign } = JSON.parse(ioidSignResponse(dev, Buffer.from(hex.slice(2), "hex"), true));
  return gw.app.inject({
    method: "POST",
    url: "/v1/ioid/devices",
    headers: auth,
    payload: { publicKey: `0x04${Buffer.from(dev.publicKey).toString("hex")}`, proof: sign },
  });
}

describe("POST /v1/task (ioID-SDK)", () => {
  it("answers a retry with its receipt, refuses an old timestamp, an unknown key, a bad shape and the lcore route", async () => {
    const gw = await testGateway(cleanups);
    const dev = ioidDevice("unit");
    const reading = (timestamp: number, value: number) =>
      ioidRequest(dev, { nonce: 7, projectId: "p", timestamp, value, highS: true });
    expect((await post(gw, "/v1/task", reading(now, 1))).statusCode).toBe(404); // not registered yet
    const reg = await registerIoid(gw, dev);
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toMatchObject({ format: "ioid-sdk", custodial: false, chainStatus: "pending" });
    expect((await registerIoid(gw, dev)).json().code).toBe("LCORE_GW_DEVICE_EXISTS");

    const first = await post(gw, "/v1/task", reading(now - 10, 1));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      taskID: `${toHex(deviceAddress(dev.publicKey))}-${now - 10}`,
      status: "queued",
    });
    const retry = await post(gw, "/v1/task", reading(now - 10, 1));
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toMatchObject({ code: "LCORE_GW_READING_DUPLICATE", receipt: { seq: String(now - 10) } });
    expect((await post(gw, "/v1/task", reading(now - 10, 2))).json().code).toBe("LCORE_GW_SEQ_STALE");
    expect((await post(gw, "/v1/task", reading(now - 11, 2))).json().code).toBe("LCORE_GW_SEQ_STALE");
    expect((await post(gw, "/v1/task", reading(now + 3600, 2))).json().code).toBe("LCORE_GW_TIMESTAMP_IN_FUTURE");
    const bad = await post(gw, "/v1/task", '{"nonce":1}');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "LCORE_GW_FORMAT_INVALID", reason: "not_signed_form" });
    const status = await gw.app.inject({ method: "GET", url: `/v1/task/${first.json().taskID}` });
    expect(status.json()).toMatchObject({ status: "queued", seq: String(now - 10) });
    expect((await gw.app.inject({ method: "GET", url: "/v1/task/nonsense" })).statusCode).toBe(404);

    // Its readings are not lcore readings: the lcore route refuses the device.
    const lcore = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: {
        device: toHex(deviceAddress(dev.publicKey)),
        seq: String(now),
        timestamp: String(now),
        nonce: `0x${"00".repeat(16)}`,
        value: "1",
        signature: `0x${"11".repeat(64)}`,
      },
    });
    expect(lcore.json().code).toBe("LCORE_GW_DEVICE_FORMAT");
  });

  it("keeps the device's format across a restart", async () => {
    const gw = await testGateway(cleanups);
    const dev = ioidDevice("restart");
    await registerIoid(gw, dev);
    expect(
      (
        await post(
          gw,
          "/v1/task",
          ioidRequest(dev, { nonce: 1, projectId: "p", timestamp: now - 5, value: 3, highS: false }),
        )
      ).statusCode,
    ).toBe(200);
    await gw.app.close();
    const again = await buildApp(gw.options);
    cleanups.push(() => again.close());
    const next = ioidRequest(dev, { nonce: 2, projectId: "p", timestamp: now - 4, value: 4, highS: true });
    const res = await again.inject({
      method: "POST",
      url: "/v1/task",
      headers: { "content-type": "application/json" },
      payload: Buffer.from(next),
    });
    expect(res.statusCode, res.body).toBe(200);
    const records = (
      await again.inject({
        method: "GET",
        url: `/v1/devices/${toHex(deviceAddress(dev.publicKey))}/records`,
        headers: auth,
      })
    ).json().records;
    expect(records.map((r: { value: string }) => r.value)).toEqual(["3", "4"]);
  });
});

describe("POST /advance (lcore-device-sdk)", () => {
  it("queues a registration for the owner, who may reject it; refuses hex that is not JSON and a JWS without a value", async () => {
    const gw = await testGateway(cleanups);
    const dev = sdkDevice("unit");
    const reg = sdkAdvanceBody({ type: "register_device", device_id: dev.did, did_document: sdkDidDocument(dev) });
    expect((await post(gw, "/advance", reg)).json()).toMatchObject({ status: "pending_approval" });
    expect((await post(gw, "/advance", reg)).statusCode).toBe(202); // the same request again: still waiting
    const other = sdkDevice("other");
    const squat = sdkAdvanceBody({ type: "register_device", device_id: dev.did, did_document: sdkDidDocument(other) });
    expect((await post(gw, "/advance", squat)).json().code).toBe("LCORE_GW_DEVICE_EXISTS");
    const reject = await gw.app.inject({
      method: "POST",
      url: `/v1/devicesdk/pending/${encodeURIComponent(dev.did)}/reject`,
      headers: auth,
    });
    expect(reject.json()).toMatchObject({ status: "rejected" });
    expect(
      (await gw.app.inject({ method: "GET", url: "/v1/devicesdk/pending", headers: auth })).json().pending,
    ).toEqual([]);
    expect((await gw.app.inject({ method: "GET", url: "/v1/devicesdk/pending" })).statusCode).toBe(401);
    expect(gw.app.gateway.registry.size).toBe(0);

    for (const body of ["0x7b", "zz", ""])
      expect((await post(gw, "/advance", body)).json().code).toBe("LCORE_GW_FORMAT_INVALID");
    const noKey = sdkAdvanceBody({ type: "register_device", device_id: dev.did, did_document: "{}" });
    expect((await post(gw, "/advance", noKey)).json()).toMatchObject({ code: "LCORE_GW_FORMAT_INVALID" });
  });

  it("bounds unauthenticated registration requests, all clients together", async () => {
    const gw = await testGateway(cleanups, { limits: { mvpRegisterPerSecond: 1, mvpRegisterBurst: 2 } });
    const codes: number[] = [];
    for (const seed of ["a", "b", "c"]) {
      const dev = sdkDevice(seed);
      const body = sdkAdvanceBody({ type: "register_device", device_id: dev.did, did_document: sdkDidDocument(dev) });
      codes.push((await post(gw, "/advance", body)).statusCode);
    }
    expect(codes).toEqual([202, 202, 429]);
    expect(gw.app.gateway.outbox.deviceFormats.pendingCount()).toBe(2);
  });

  it("registers at once with auto-approval and checks each JWS's signature, time and value", async () => {
    const gw = await testGateway(cleanups, { deviceSdk: { autoApprove: { valueField: "t", scale: 1 } } });
    const dev = sdkDevice("auto");
    const reg = await post(
      gw,
      "/advance",
      sdkAdvanceBody({ type: "register_device", device_id: dev.did, did_document: sdkDidDocument(dev) }),
    );
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toMatchObject({ status: "registered", device: toHex(p256DeviceAddress(dev.publicKey)) });
    const submit = (payload: string, signer = dev) =>
      post(
        gw,
        "/advance",
        sdkAdvanceBody({
          type: "submit_sensor_data",
          device_id: dev.did,
          encrypted_payload: es256Jws(signer, payload, true),
        }),
      );
    expect((await submit(`{"t":1.5,"iat":${now - 3}}`)).json()).toMatchObject({ success: true, seq: String(now - 3) });
    expect((await submit(`{"t":1.55,"iat":${now - 2}}`)).json()).toMatchObject({
      code: "LCORE_GW_FORMAT_INVALID",
      reason: "no_value",
    });
    expect((await submit(`{"t":1}`)).json()).toMatchObject({ code: "LCORE_GW_FORMAT_INVALID", reason: "no_time" });
    expect((await submit(`{"t":2,"iat":${now - 1}}`, sdkDevice("intruder"))).json().code).toBe(
      "LCORE_GW_SIGNATURE_INVALID",
    );
    expect((await submit(`{"t":2,"iat":${now - 3}}`)).json().code).toBe("LCORE_GW_SEQ_STALE");
    const unknown = await post(
      gw,
      "/advance",
      sdkAdvanceBody({ type: "submit_sensor_data", device_id: "did:lcore:00", encrypted_payload: "a.b.c" }),
    );
    expect(unknown.json().code).toBe("LCORE_GW_DEVICE_UNKNOWN");
  });
});
