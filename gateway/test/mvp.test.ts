// The MVP compatibility routes: POST /device/register and POST /device/data.

import { decodeInput } from "@lcore/protocol/input";
import { afterEach, describe, expect, it } from "vitest";
import { auth, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

describe("MVP compatibility routes", () => {
  it("register a custodial device and relay its data, signed by the gateway-held key", async () => {
    const gw = await testGateway(cleanups);
    const reg = await gw.app.inject({
      method: "POST",
      url: "/device/register",
      payload: { device_id: "sensor-7", public_key: "did:key:z6Mk..." },
    });
    expect(reg.statusCode).toBe(201);
    const { device } = reg.json();
    expect(reg.json()).toMatchObject({ device_id: "sensor-7", status: "queued" });
    const input = gw.app.gateway.outbox.inputs.unincluded(1)[0]!;
    const decoded = decodeInput(input.payload);
    expect(decoded.kind === "device_registration" && new TextDecoder().decode(decoded.metadata)).toBe("mvp:sensor-7");

    for (const data of [21.5, { t: 3 }, "ok"]) {
      const res = await gw.app.inject({
        method: "POST",
        url: "/device/data",
        payload: { device_id: "sensor-7", data },
      });
      expect(res.statusCode).toBe(202);
    }
    const view = (await gw.app.inject({ method: "GET", url: `/v1/devices/${device}`, headers: auth })).json();
    expect(view).toMatchObject({ custodial: true, lastSeq: "3", metadata: "mvp:sensor-7" });
    const records = (await gw.app.inject({ method: "GET", url: `/v1/devices/${device}/records`, headers: auth })).json()
      .records;
    expect(records.map((r: { value: string }) => r.value)).toEqual(["21500", "0", "0"]);
    expect(records.map((r: { payload: string }) => Buffer.from(r.payload.slice(2), "hex").toString())).toEqual([
      "21.5",
      '{"t":3}',
      "ok",
    ]);
  });

  it("bound MVP registrations, all clients together: each one spends gas", async () => {
    const gw = await testGateway(cleanups, { limits: { mvpRegisterPerSecond: 1, mvpRegisterBurst: 2 } });
    const codes = [];
    for (const id of ["r1", "r2", "r3"]) {
      codes.push(
        (await gw.app.inject({ method: "POST", url: "/device/register", payload: { device_id: id, public_key: "k" } }))
          .statusCode,
      );
    }
    expect(codes).toEqual([201, 201, 429]);
    expect(gw.app.gateway.registry.size).toBe(2);
  });

  it("refuse a second registration of a device_id, an unknown device_id, oversize data, malformed ids", async () => {
    const gw = await testGateway(cleanups, { limits: { mvpDataBytes: 16 } });
    await gw.app.inject({ method: "POST", url: "/device/register", payload: { device_id: "a", public_key: "k" } });
    const again = await gw.app.inject({
      method: "POST",
      url: "/device/register",
      payload: { device_id: "a", public_key: "k" },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("LCORE_GW_DEVICE_EXISTS");
    const unknown = await gw.app.inject({ method: "POST", url: "/device/data", payload: { device_id: "b", data: 1 } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("LCORE_GW_DEVICE_UNKNOWN");
    const big = await gw.app.inject({
      method: "POST",
      url: "/device/data",
      payload: { device_id: "a", data: "x".repeat(20) },
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().code).toBe("LCORE_GW_INVALID_REQUEST");
    const huge = await gw.app.inject({ method: "POST", url: "/device/data", payload: { device_id: "a", data: 1e300 } });
    expect(huge.json().code).toBe("LCORE_GW_NUMBER_OUT_OF_RANGE");
    const infinite = await gw.app.inject({
      method: "POST",
      url: "/device/data",
      payload: { device_id: "a", data: 1e306 },
    }); // × 1000 = Infinity
    expect(infinite.json().code).toBe("LCORE_GW_NUMBER_OUT_OF_RANGE");
    for (const device_id of ["", "has space", "x".repeat(129)]) {
      const bad = await gw.app.inject({
        method: "POST",
        url: "/device/register",
        payload: { device_id, public_key: "k" },
      });
      expect(bad.statusCode).toBe(400);
    }
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(0);
    expect(gw.app.gateway.registry.size).toBe(1);
  });
});
