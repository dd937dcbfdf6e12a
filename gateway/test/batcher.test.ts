// The batcher: inputs under the payload and count bounds, cut when full or when the
// oldest reading has waited the maximum delay; each reading in exactly one input.

import { MAX_PAYLOAD_LENGTH } from "@lcore/protocol/bounds";
import { decodeInput } from "@lcore/protocol/input";
import { afterEach, describe, expect, it } from "vitest";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

async function fill(cleanupsList: Cleanup[], readings: number, payloadBytes: number) {
  const gw = await testGateway(cleanupsList, { limits: { deviceRateBurst: 10_000 } });
  const devices = [await gw.device(), await gw.device()];
  for (let i = 0; i < readings; i += 100) {
    const batch = Array.from({ length: Math.min(100, readings - i) }, (_, j) =>
      devices[(i + j) % 2]!.reading({ payload: new Uint8Array(payloadBytes).fill(7) }),
    );
    const res = await gw.app.inject({ method: "POST", url: "/v1/readings/batch", payload: { readings: batch } });
    expect(res.statusCode).toBe(202);
  }
  return { gw, devices };
}

const recordInputs = (gw: Awaited<ReturnType<typeof fill>>["gw"]) =>
  gw.app.gateway.outbox.inputs.unincluded(1000).filter((i) => i.kind === "records");

describe("batcher", () => {
  it("waits for the maximum delay unless an input is full, then packs in outbox order", async () => {
    const { gw, devices } = await fill(cleanups, 30, 8);
    const batcher = new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 2000 }));
    const received = gw.app.gateway.outbox.readings.queued(1)[0]!.receivedMs;
    expect(await batcher.tick(received + 1999)).toBe(0);
    expect(await batcher.tick(received + 2000)).toBe(1);
    const [input] = recordInputs(gw);
    const decoded = decodeInput(input!.payload);
    expect(decoded.kind).toBe("record_batch");
    if (decoded.kind !== "record_batch") return;
    expect(decoded.records.map((r) => `${Buffer.from(r.device).toString("hex")}/${r.seq}`)).toEqual(
      Array.from({ length: 30 }, (_, i) => `${devices[i % 2]!.hex.slice(2)}/${Math.floor(i / 2) + 1}`),
    );
    expect(gw.app.gateway.outbox.queued).toBe(0);
    const row = gw.app.gateway.outbox.readings.get(devices[1]!.address, 15n)!;
    expect([row.inputId, row.position]).toEqual([input!.id, 29]);
    expect(gw.app.gateway.outbox.devices.get(devices[0]!.address)?.lastSeq).toBe(15n);
    expect(await batcher.tick(received + 10_000)).toBe(0);
  });

  it("cuts full inputs at once: by record count, and by payload bytes for large readings", async () => {
    const byCount = await fill(cleanups, 25, 8);
    const b1 = new Batcher(byCount.gw.app.gateway, batcherSettings({ maxDelayMs: 60_000, maxRecords: 10 }));
    expect(await b1.tick(Date.now())).toBe(2); // 10 + 10; the last 5 wait for the delay
    expect(
      recordInputs(byCount.gw).map((i) => (decodeInput(i.payload) as { records: unknown[] }).records.length),
    ).toEqual([10, 10]);

    const bySize = await fill(cleanups, 120, 1024);
    const b2 = new Batcher(bySize.gw.app.gateway, batcherSettings({ maxDelayMs: 0 }));
    expect(await b2.tick(Date.now())).toBe(3);
    const inputs = recordInputs(bySize.gw);
    expect(inputs.map((i) => (decodeInput(i.payload) as { records: unknown[] }).records.length)).toEqual([53, 53, 14]);
    for (const i of inputs) expect(i.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_LENGTH);
  });

  it("stops packing while the maximum of inputs waits for the chain", async () => {
    const { gw } = await fill(cleanups, 40, 8);
    const batcher = new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 0, maxRecords: 5, maxPendingInputs: 4 }));
    // Two registration inputs are already waiting, so two record inputs fit.
    expect(await batcher.tick(Date.now())).toBe(2);
    expect(gw.app.gateway.outbox.queued).toBe(30);
  });

  it("refuses settings that could strand a reading or break the protocol bound", () => {
    expect(() => batcherSettings({ maxRecords: 0 })).toThrow(RangeError);
    expect(() => batcherSettings({ maxRecords: 340 })).toThrow(RangeError);
    expect(() => batcherSettings({ maxPayloadBytes: 1000 })).toThrow(RangeError);
    expect(() => batcherSettings({ maxPayloadBytes: MAX_PAYLOAD_LENGTH + 1 })).toThrow(RangeError);
  });
});
