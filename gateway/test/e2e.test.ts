// End to end on the devnet: simulated devices → gateway → InputBox → host-mode node →
// the real dApp → notices. Every receipt must reach "accepted"; the dApp must hold each
// record once, byte for byte as sealed; the owner reads the plaintext back.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayApp } from "../src/app.js";
import { simulate } from "../src/sim/run.js";
import { SimDevice } from "../src/sim/device.js";
import { OWNER_TOKEN, type TestGateway, auth, testGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
let app: GatewayApp;
let url: string;

beforeAll(async () => {
  stack = await startTestStack(cleanups);
  gw = await testGateway(cleanups, stack.gatewayOptions(3));
  ({ app } = gw);
  url = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => runCleanups(cleanups));

/** One inspect query to the dApp through the node; the answer's first report as JSON. */
async function inspect(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(stack.devnet.inspectUrl, { method: "POST", body: path });
  const body = (await res.json()) as { reports: { payload: string }[] };
  return JSON.parse(Buffer.from(body.reports[0]!.payload.slice(2), "hex").toString("utf8"));
}

describe("e2e on the devnet", () => {
  it("every simulated reading is accepted by the dApp, stored once as sealed, and read back in plaintext", async () => {
    const summary = await simulate({
      gateway: url,
      token: OWNER_TOKEN,
      devices: 4,
      rate: 40,
      durationS: 2,
      seed: "e2e",
      followS: 90,
      payloadBytes: 12,
    });
    expect(summary.sent).toBe(80);
    expect(summary.accepted).toBe(80);
    expect(summary.onChain).toEqual({ accepted: 80, rejected: {} });

    for (const device of summary.devices) {
      const mine = summary.readings.filter((r) => r.reading.device === device);
      // The dApp's state: each record once, with exactly the bytes the gateway sealed.
      const page = (await inspect(`records/${device}?by=seq&limit=100`)) as {
        records: { seq: string; sealed: string; bodyHash: string }[];
      };
      expect(page.records.map((r) => r.seq)).toEqual(mine.map((r) => r.reading.seq));
      for (const rec of page.records) {
        const row = app.gateway.outbox.readings.get(Buffer.from(device.slice(2), "hex"), BigInt(rec.seq))!;
        expect(rec.sealed).toBe(`0x${Buffer.from(row.sealed).toString("hex")}`);
      }
      // The owner's plaintext, decrypted by the gateway.
      const records = (await app.inject({ method: "GET", url: `/v1/devices/${device}/records`, headers: auth })).json()
        .records as {
        seq: string;
        value: string;
        payload: string;
        status: string;
        inputIndex: number;
      }[];
      expect(records.map((r) => [r.seq, r.value, r.payload, r.status])).toEqual(
        mine.map((r) => [r.reading.seq, r.value.toString(), `0x${Buffer.from(r.payload).toString("hex")}`, "accepted"]),
      );
    }
    const status = (await app.inject({ method: "GET", url: `/v1/readings/${summary.devices[0]}/1` })).json();
    expect(status).toMatchObject({ status: "accepted" });
    expect(status.noticeIndex).toBeTypeOf("number");
    expect(status.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("an MVP client's readings are accepted too", async () => {
    const reg = await app.inject({
      method: "POST",
      url: "/device/register",
      payload: { device_id: "mvp-e2e", public_key: "k" },
    });
    expect(reg.statusCode).toBe(201);
    const data = await app.inject({
      method: "POST",
      url: "/device/data",
      payload: { device_id: "mvp-e2e", data: 7.25 },
    });
    expect(data.statusCode).toBe(202);
    const { statusUrl } = data.json();
    const until = Date.now() + 90_000;
    let status: { status: string } = { status: "" };
    while (Date.now() < until) {
      status = (await app.inject({ method: "GET", url: statusUrl })).json();
      if (status.status === "accepted" || status.status === "rejected") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status.status).toBe("accepted");
    const records = (
      await app.inject({ method: "GET", url: `/v1/devices/${reg.json().device}/records`, headers: auth })
    ).json().records;
    expect(records).toMatchObject([
      { value: "7250", payload: `0x${Buffer.from("7.25").toString("hex")}`, status: "accepted" },
    ]);
  });

  it("a device another owner registered first: the second gateway marks it registration_rejected (device_exists) and refuses its readings", async () => {
    const d = SimDevice.random();
    expect(
      (await app.inject({ method: "POST", url: "/v1/devices", headers: auth, payload: d.registration(gw.info) }))
        .statusCode,
    ).toBe(201);
    const view = (g: GatewayApp) => async () => {
      const v = (await g.inject({ method: "GET", url: `/v1/devices/${d.hex}`, headers: auth })).json();
      return v.chainStatus === "pending" ? undefined : v;
    };
    expect(await eventually(view(app), 90_000, "the first registration's verdict")).toMatchObject({
      chainStatus: "registered",
    });

    // A second gateway (another submitting account, so another owner) registers the same device.
    const second = await testGateway(cleanups, stack.gatewayOptions(4));
    expect(
      (
        await second.app.inject({
          method: "POST",
          url: "/v1/devices",
          headers: auth,
          payload: d.registration(second.info),
        })
      ).statusCode,
    ).toBe(201);
    expect(await eventually(view(second.app), 90_000, "the second registration's verdict")).toMatchObject({
      chainStatus: "registration_rejected",
      chainReason: "device_exists",
    });
    const refused = await second.app.inject({ method: "POST", url: "/v1/readings", payload: d.reading() });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "LCORE_GW_DEVICE_REGISTRATION_REJECTED", reason: "device_exists" });
    // The first gateway, whose registration stands, still takes the device's readings.
    expect((await app.inject({ method: "POST", url: "/v1/readings", payload: d.reading() })).statusCode).toBe(202);
  });
});
