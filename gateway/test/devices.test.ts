// Owner routes: POST /v1/devices, GET /v1/devices/{device}, GET /v1/devices/{device}/records.

import { decodeInput } from "@lcore/protocol/input";
import { afterEach, describe, expect, it } from "vitest";
import { SimDevice } from "../src/sim/device.js";
import { auth, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

describe("POST /v1/devices", () => {
  it("registers a device and queues a registration input the dApp decodes", async () => {
    const gw = await testGateway(cleanups);
    const d = SimDevice.random();
    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: d.registration(gw.info, "thermometer/mC"),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      device: d.hex,
      metadata: "thermometer/mC",
      custodial: false,
      lastSeq: null,
      registration: { status: "queued" },
    });
    const [input] = gw.app.gateway.outbox.inputs.unincluded(10);
    expect(input?.kind).toBe("registration");
    const decoded = decodeInput(input!.payload);
    expect(decoded.kind).toBe("device_registration");
    if (decoded.kind !== "device_registration") return;
    expect(Buffer.from(decoded.publicKey).equals(Buffer.from(d.publicKey))).toBe(true);
    expect(decoded.auth).toEqual({ kind: "sender" });
    expect(new TextDecoder().decode(decoded.metadata)).toBe("thermometer/mC");

    const got = await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth });
    expect(got.statusCode).toBe(200);
    expect(got.json().device).toBe(d.hex);
  });

  it("accepts the 65-byte 0x04 form of the key", async () => {
    const gw = await testGateway(cleanups);
    const d = SimDevice.random();
    const body = d.registration(gw.info);
    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: { ...body, publicKey: `0x04${body.publicKey.slice(2)}` },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().device).toBe(d.hex);
  });

  it("refuses without the owner token, or with a wrong one", async () => {
    const gw = await testGateway(cleanups);
    const body = SimDevice.random().registration(gw.info);
    for (const headers of [{}, { authorization: "Bearer wrong-token-wrong-token" }, { authorization: "Basic abc" }]) {
      const res = await gw.app.inject({ method: "POST", url: "/v1/devices", headers, payload: body });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("LCORE_GW_UNAUTHORIZED");
    }
    expect(gw.app.gateway.registry.size).toBe(0);
  });

  it("refuses a key off the curve, a proof by another key, a proof for another owner, a duplicate", async () => {
    const gw = await testGateway(cleanups);
    const d = SimDevice.random();
    const good = d.registration(gw.info);
    const offCurve = await gw.app.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: { ...good, publicKey: `0x${"11".repeat(64)}` },
    });
    expect(offCurve.statusCode).toBe(400);
    expect(offCurve.json().code).toBe("LCORE_GW_PUBLIC_KEY_INVALID");

    const otherKey = SimDevice.random().registration(gw.info);
    const stolen = await gw.app.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: { ...good, proof: otherKey.proof },
    });
    expect(stolen.statusCode).toBe(422);
    expect(stolen.json().code).toBe("LCORE_GW_PROOF_INVALID");

    const elsewhere = d.registration({ ...gw.info, owner: { address: `0x${"22".repeat(20)}` } });
    const wrongOwner = await gw.app.inject({ method: "POST", url: "/v1/devices", headers: auth, payload: elsewhere });
    expect(wrongOwner.json().code).toBe("LCORE_GW_PROOF_INVALID");
    expect(gw.app.gateway.registry.size).toBe(0);
    expect(gw.app.gateway.outbox.inputs.unincluded(10)).toHaveLength(0);

    expect((await gw.app.inject({ method: "POST", url: "/v1/devices", headers: auth, payload: good })).statusCode).toBe(
      201,
    );
    const again = await gw.app.inject({ method: "POST", url: "/v1/devices", headers: auth, payload: good });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "LCORE_GW_DEVICE_EXISTS", device: d.hex });
    expect(gw.app.gateway.outbox.inputs.unincluded(10)).toHaveLength(1);
  });

  it("refuses metadata over the bound and devices over the device bound", async () => {
    const gw = await testGateway(cleanups, { limits: { devices: 1 } });
    const big = await gw.app.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: SimDevice.random().registration(gw.info, "é".repeat(129)),
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().code).toBe("LCORE_GW_INVALID_REQUEST");
    await gw.device();
    const full = await gw.app.inject({
      method: "POST",
      url: "/v1/devices",
      headers: auth,
      payload: SimDevice.random().registration(gw.info),
    });
    expect(full.statusCode).toBe(507);
    expect(full.json().code).toBe("LCORE_GW_DEVICE_LIMIT");
  });
});

describe("GET /v1/devices/{device} and /records", () => {
  it("need the owner token; unknown devices are 404", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    for (const url of [`/v1/devices/${d.hex}`, `/v1/devices/${d.hex}/records`]) {
      const res = await gw.app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("LCORE_GW_UNAUTHORIZED");
    }
    const unknown = await gw.app.inject({
      method: "GET",
      url: `/v1/devices/${SimDevice.random().hex}/records`,
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("LCORE_GW_DEVICE_UNKNOWN");
    const badQuery = await gw.app.inject({
      method: "GET",
      url: `/v1/devices/${d.hex}/records?limit=abc`,
      headers: auth,
    });
    expect(badQuery.json().code).toBe("LCORE_GW_INVALID_REQUEST");
  });

  it("give the owner the payload as hex, and as text too when it is UTF-8", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const text = '{"t":21.5,"unit":"°C"}';
    const payloads = [new TextEncoder().encode(text), new Uint8Array([0xff, 0xfe, 0x00]), new Uint8Array(0)];
    for (const [i, payload] of payloads.entries()) {
      const res = await gw.app.inject({
        method: "POST",
        url: "/v1/readings",
        payload: d.reading({ payload, seq: BigInt(i + 1) }),
      });
      expect(res.statusCode, res.body).toBe(202);
    }
    await gw.app.gateway.outbox.append([]);
    const page = await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}/records`, headers: auth });
    const [json, binary, empty] = page.json().records;
    expect(json).toMatchObject({ payload: `0x${Buffer.from(text).toString("hex")}`, payloadText: text });
    expect(binary).toMatchObject({ payload: "0xfffe00" });
    expect(binary.payloadText).toBeUndefined();
    expect(empty).toMatchObject({ payload: "0x" });
    expect(empty.payloadText).toBeUndefined();
  });
});
