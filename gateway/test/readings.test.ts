// POST /v1/readings, /v1/readings/batch and GET /v1/readings/{device}/{seq} through
// app.inject: the accepted path, and every bad input answered 4xx with its stable code
// and nothing stored.

import { afterEach, describe, expect, it } from "vitest";
import { SECP256K1_N } from "../src/devices/signature.js";
import { SimDevice, type SignedReading } from "../src/sim/device.js";
import { type TestGateway, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

async function post(gw: TestGateway, body: unknown, url = "/v1/readings", headers: Record<string, string> = {}) {
  return gw.app.inject({ method: "POST", url, payload: body as object, headers });
}

/** Nothing reached the outbox: no row on disk, no pending commit, no seq advanced. */
function expectNothingStored(gw: TestGateway, device?: SimDevice, lastSeq: bigint | null = null) {
  expect(gw.app.gateway.outbox.readings.countQueued()).toBe(0);
  expect(gw.app.gateway.outbox.queued).toBe(0);
  if (device !== undefined) {
    expect(gw.app.gateway.registry.get(device.hex)?.lastSeq ?? null).toBe(lastSeq);
    expect(gw.app.gateway.outbox.devices.get(device.address)?.lastSeq ?? null).toBe(lastSeq);
  }
}

function withSignature(r: SignedReading, sig: Uint8Array): SignedReading {
  return { ...r, signature: `0x${Buffer.from(sig).toString("hex")}` };
}

function sigBytes(r: SignedReading): Uint8Array {
  return new Uint8Array(Buffer.from(r.signature.slice(2), "hex"));
}

describe("POST /v1/readings: refused, nothing stored", () => {
  it("a signature by another key", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const other = SimDevice.random();
    const forged = { ...other.reading(), device: d.hex };
    const res = await post(gw, forged);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_SIGNATURE_INVALID", statusCode: 422 });
    expectNothingStored(gw, d);
  });

  it("a signed reading whose value was changed afterwards", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading({ value: 21_500n });
    const res = await post(gw, { ...r, value: "21501" });
    expect(res.json().code).toBe("LCORE_GW_SIGNATURE_INVALID");
    expectNothingStored(gw, d);
  });

  it("a signed reading moved to another seq or timestamp", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading();
    expect((await post(gw, { ...r, seq: "2" })).json().code).toBe("LCORE_GW_SIGNATURE_INVALID");
    expect((await post(gw, { ...r, timestamp: r.timestamp - 1 })).json().code).toBe("LCORE_GW_SIGNATURE_INVALID");
    expectNothingStored(gw, d);
  });

  it("the high-s twin of a valid signature", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading();
    const sig = sigBytes(r);
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
    sig.set(Buffer.from((SECP256K1_N - s).toString(16).padStart(64, "0"), "hex"), 32);
    const res = await post(gw, withSignature(r, sig));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("LCORE_GW_SIGNATURE_HIGH_S");
    expectNothingStored(gw, d);
  });

  it("r or s zero or not below n", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading();
    const zeroR = sigBytes(r);
    zeroR.fill(0, 0, 32);
    const bigS = sigBytes(r);
    bigS.fill(0xff, 32, 64);
    for (const sig of [zeroR, bigS, new Uint8Array(64)]) {
      const res = await post(gw, withSignature(r, sig));
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toMatch(/^LCORE_GW_SIGNATURE_(INVALID|HIGH_S)$/);
    }
    expectNothingStored(gw, d);
  });

  it("an unknown device", async () => {
    const gw = await testGateway(cleanups);
    const stranger = SimDevice.random();
    const res = await post(gw, stranger.reading());
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_DEVICE_UNKNOWN", device: stranger.hex });
    expectNothingStored(gw);
  });

  it("a body over the bound", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const res = await post(gw, { ...d.reading(), pad: "x".repeat(gw.app.gateway.limits.bodyBytes) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe("LCORE_GW_BODY_TOO_LARGE");
    expectNothingStored(gw, d);
  });

  it("malformed JSON, an empty body, a JSON body that is not an object", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const json = { "content-type": "application/json" };
    const malformed = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: '{"device": "0x',
      headers: json,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("LCORE_GW_MALFORMED_JSON");
    const empty = await gw.app.inject({ method: "POST", url: "/v1/readings", payload: "", headers: json });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe("LCORE_GW_EMPTY_BODY");
    const none = await gw.app.inject({ method: "POST", url: "/v1/readings" });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe("LCORE_GW_EMPTY_BODY");
    const array = await gw.app.inject({ method: "POST", url: "/v1/readings", payload: "[1,2]", headers: json });
    expect(array.json().code).toBe("LCORE_GW_INVALID_REQUEST");
    const poisoned = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      headers: json,
      payload: `{"__proto__": {"x": 1}, ${JSON.stringify(d.reading()).slice(1)}`,
    });
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json().code).toBe("LCORE_GW_MALFORMED_JSON");
    expectNothingStored(gw, d);
  });

  it("a body that is not application/json", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/octet-stream",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await gw.app.inject({
        method: "POST",
        url: "/v1/readings",
        payload: JSON.stringify(d.reading()),
        headers: { "content-type": type },
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().code).toBe("LCORE_GW_UNSUPPORTED_MEDIA_TYPE");
    }
    expectNothingStored(gw, d);
  });

  it("fields missing, unknown, of the wrong shape or over their bounds", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading();
    const { signature: _s, ...unsigned } = r;
    const bad: [string, unknown][] = [
      ["missing signature", unsigned],
      ["unknown field", { ...r, extra: 1 }],
      ["short signature", { ...r, signature: r.signature.slice(0, 100) }],
      ["non-hex nonce", { ...r, nonce: `0x${"zz".repeat(16)}` }],
      ["short device", { ...r, device: r.device.slice(0, 30) }],
      ["payload over 1024 bytes", { ...r, payload: `0x${"ab".repeat(1025)}` }],
      ["odd-length payload", { ...r, payload: "0xabc" }],
      // The schema's hex rules, not the hex parser's (which takes 0X and needs no content): 0x, even length, hex digits.
      ["payload without 0x", { ...r, payload: "abcd" }],
      ["signature with 0X", { ...r, signature: `0X${r.signature.slice(2)}` }],
      ["device without 0x", { ...r, device: r.device.slice(2) }],
      ["empty nonce", { ...r, nonce: "0x" }],
      ["negative seq", { ...r, seq: -1 }],
      ["fractional timestamp", { ...r, timestamp: 1.5 }],
      ["seq as hex", { ...r, seq: "0x10" }],
      ["value as float string", { ...r, value: "1.5" }],
      ["seq as a boolean", { ...r, seq: true }],
    ];
    for (const [what, body] of bad) {
      const res = await post(gw, body);
      expect(res.statusCode, what).toBe(400);
      expect(res.json().code, what).toBe("LCORE_GW_INVALID_REQUEST");
    }
    expectNothingStored(gw, d);
  });

  it("numbers outside u64, i64 or the dApp's seq range", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading();
    for (const body of [
      { ...r, seq: (1n << 63n).toString() },
      { ...r, seq: (1n << 64n).toString() },
      { ...r, timestamp: (1n << 64n).toString() },
      { ...r, value: (1n << 63n).toString() },
      { ...r, value: (-(1n << 63n) - 1n).toString() },
    ]) {
      const res = await post(gw, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("LCORE_GW_NUMBER_OUT_OF_RANGE");
    }
    expectNothingStored(gw, d);
  });

  it("a timestamp further ahead than the allowed skew", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const res = await post(gw, d.reading({ timestamp: Math.floor(Date.now() / 1000) + 3600 }));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("LCORE_GW_TIMESTAMP_IN_FUTURE");
    expectNothingStored(gw, d);
  });

  it("a device over its rate limit, with Retry-After; forged readings naming it spend none of its budget", async () => {
    const gw = await testGateway(cleanups, { limits: { deviceRatePerSecond: 1, deviceRateBurst: 2 } });
    const d = await gw.device();
    const other = SimDevice.random();
    // A flood of readings that name the device but are signed by someone else: all refused, none counted.
    for (let i = 0; i < 10; i++) expect((await post(gw, { ...other.reading(), device: d.hex })).statusCode).toBe(422);
    for (let i = 0; i < 2; i++) expect((await post(gw, d.reading())).statusCode).toBe(202);
    const res = await post(gw, d.reading());
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe("LCORE_GW_RATE_LIMITED");
    expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(gw.app.gateway.outbox.readings.get(d.address, 3n)).toBeUndefined();
  });
});

describe("POST /v1/readings/batch: all or none", () => {
  it("one bad reading refuses the batch, names its index and stores nothing", async () => {
    const gw = await testGateway(cleanups);
    const a = await gw.device();
    const b = await gw.device();
    const readings = [a.reading(), b.reading(), { ...a.reading(), value: "7" }, b.reading()];
    const res = await post(gw, { readings }, "/v1/readings/batch");
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_SIGNATURE_INVALID", index: 2 });
    expect(res.json().message).toMatch(/^readings\[2\]/);
    expectNothingStored(gw, a);
    expectNothingStored(gw, b);
  });

  it("a device's readings out of order within the batch", async () => {
    const gw = await testGateway(cleanups);
    const a = await gw.device();
    const first = a.reading();
    const second = a.reading();
    const res = await post(gw, { readings: [second, first] }, "/v1/readings/batch");
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_SEQ_STALE", index: 1 });
    expectNothingStored(gw, a);
  });

  it("more readings than the batch bound, an empty list, a body over the batch bound", async () => {
    const gw = await testGateway(cleanups, { limits: { batchReadings: 3, batchBodyBytes: 4096 } });
    const a = await gw.device();
    const four = await post(
      gw,
      { readings: [a.reading(), a.reading(), a.reading(), a.reading()] },
      "/v1/readings/batch",
    );
    expect(four.statusCode).toBe(400);
    expect(four.json().code).toBe("LCORE_GW_INVALID_REQUEST");
    const none = await post(gw, { readings: [] }, "/v1/readings/batch");
    expect(none.json().code).toBe("LCORE_GW_INVALID_REQUEST");
    const big = await post(
      gw,
      { readings: [a.reading({ payload: new Uint8Array(1024) }), a.reading({ payload: new Uint8Array(1024) })] },
      "/v1/readings/batch",
    );
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe("LCORE_GW_BODY_TOO_LARGE");
    expectNothingStored(gw, a);
  });

  it("an unknown device in the batch", async () => {
    const gw = await testGateway(cleanups);
    const a = await gw.device();
    const res = await post(gw, { readings: [a.reading(), SimDevice.random().reading()] }, "/v1/readings/batch");
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "LCORE_GW_DEVICE_UNKNOWN", index: 1 });
    expectNothingStored(gw, a);
  });
});

describe("GET /v1/readings/{device}/{seq}", () => {
  it("404 for a reading the gateway never accepted, 400 for a malformed address", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const missing = await gw.app.inject({ method: "GET", url: `/v1/readings/${d.hex}/1` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("LCORE_GW_READING_NOT_FOUND");
    const huge = await gw.app.inject({ method: "GET", url: `/v1/readings/${d.hex}/99999999999999999999` });
    expect(huge.json().code).toBe("LCORE_GW_READING_NOT_FOUND");
    for (const device of ["0x1234", d.hex.slice(2), `0X${d.hex.slice(2)}`, `${d.hex}0`]) {
      const bad = await gw.app.inject({ method: "GET", url: `/v1/readings/${device}/1` });
      expect(bad.statusCode, device).toBe(400);
      expect(bad.json().code, device).toBe("LCORE_GW_INVALID_REQUEST");
    }
  });
});

describe("POST /v1/readings: accepted", () => {
  it("answers 202 with a receipt only once the reading is committed, sealed, on disk", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading({ value: 21_500n, payload: new Uint8Array([1, 2, 3]) });
    const res = await post(gw, r);
    expect(res.statusCode).toBe(202);
    const receipt = res.json();
    expect(receipt).toMatchObject({ device: d.hex, seq: "1", status: "queued", statusUrl: `/v1/readings/${d.hex}/1` });
    expect(receipt.digest).toMatch(/^0x[0-9a-f]{64}$/);
    // On disk, through a connection of its own: the commit happened before the answer.
    const { Outbox } = await import("../src/outbox/outbox.js");
    const other = new Outbox({ path: gw.options.outboxPath, groupCommitDelayMs: 0, groupCommitReadings: 10 });
    const row = other.readings.get(d.address, 1n)!;
    await other.close();
    expect(Buffer.from(row.digest).toString("hex")).toBe(receipt.digest.slice(2));
    expect(row.sealed.length).toBe(26 + 3 + 32);
    // The plaintext is nowhere in the stored row.
    expect(Buffer.from(row.sealed).includes(Buffer.from([1, 2, 3]))).toBe(false);
    const status = await gw.app.inject({ method: "GET", url: receipt.statusUrl });
    expect(status.json()).toMatchObject({ device: d.hex, seq: "1", status: "queued", digest: receipt.digest });
  });

  it("accepts seqs and values given as decimal strings beyond 2^53", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading({ seq: (1n << 62n) + 5n, value: -(1n << 62n) });
    expect(r.seq).toBe("4611686018427387909");
    const res = await post(gw, r);
    expect(res.statusCode).toBe(202);
    expect(res.json().seq).toBe("4611686018427387909");
  });

  it("25 exact copies sent at once, on both routes: one is taken, every other gets LCORE_GW_READING_DUPLICATE with the receipt", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    await post(gw, d.reading()); // seq 1, so the copies race behind a last seq that exists
    const reading = d.reading();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        i % 2 === 0 ? post(gw, reading) : post(gw, { readings: [reading] }, "/v1/readings/batch"),
      ),
    );
    const codes = answers.map((a) => (a.statusCode === 202 ? "taken" : a.json().code));
    expect(codes.filter((c) => c === "taken")).toHaveLength(1);
    expect(codes.filter((c) => c === "LCORE_GW_READING_DUPLICATE")).toHaveLength(24);
    for (const a of answers.filter((x) => x.statusCode === 409)) {
      expect(a.json().receipt).toMatchObject({
        device: d.hex,
        seq: "2",
        digest: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      });
    }
    expect(gw.app.gateway.outbox.readings.get(d.address, 2n)).toBeDefined();
  });

  it("refuses a replay with its receipt, a reused seq and an older seq, and stores nothing more", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const first = d.reading();
    const second = d.reading();
    expect((await post(gw, first)).statusCode).toBe(202);
    expect((await post(gw, second)).statusCode).toBe(202);

    const replay = await post(gw, second);
    expect(replay.statusCode).toBe(409);
    expect(replay.json()).toMatchObject({
      code: "LCORE_GW_READING_DUPLICATE",
      receipt: { device: d.hex, seq: "2", status: "queued" },
    });

    const reused = await post(gw, d.reading({ seq: 2n, value: 99n }));
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ code: "LCORE_GW_SEQ_STALE", lastSeq: "2" });

    const older = await post(gw, d.reading({ seq: 1n, value: 5n }));
    expect(older.json().code).toBe("LCORE_GW_SEQ_STALE");
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(2);
  });

  it("of two concurrent readings with one seq, stores exactly one", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const a = d.reading({ seq: 1n, value: 1n });
    const b = d.reading({ seq: 1n, value: 2n });
    const answers = await Promise.all([post(gw, a), post(gw, b)]);
    expect(answers.map((x) => x.statusCode).sort()).toEqual([202, 409]);
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(1);
  });

  it("accepts a batch of several devices, all in one commit, receipts in order", async () => {
    const gw = await testGateway(cleanups);
    const a = await gw.device();
    const b = await gw.device();
    const readings = [a.reading(), b.reading(), a.reading(), b.reading({ payload: new Uint8Array(1024) })];
    const res = await post(gw, { readings }, "/v1/readings/batch");
    expect(res.statusCode).toBe(202);
    expect(res.json().receipts.map((r: { device: string; seq: string }) => `${r.device}/${r.seq}`)).toEqual([
      `${a.hex}/1`,
      `${b.hex}/1`,
      `${a.hex}/2`,
      `${b.hex}/2`,
    ]);
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(4);
  });

  it("keeps readings and each device's last seq across a restart", async () => {
    const cleanupsB: Cleanup[] = [];
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const r = d.reading();
    expect((await post(gw, r)).statusCode).toBe(202);
    await gw.app.close();
    const { buildApp } = await import("../src/app.js");
    const again = await buildApp(gw.options);
    cleanupsB.push(() => again.close());
    try {
      const replay = await again.inject({ method: "POST", url: "/v1/readings", payload: r });
      expect(replay.json().code).toBe("LCORE_GW_READING_DUPLICATE");
      expect((await again.inject({ method: "POST", url: "/v1/readings", payload: d.reading() })).statusCode).toBe(202);
    } finally {
      await runCleanups(cleanupsB);
    }
  });

  it("answers 503 when the outbox holds its bound of queued readings", async () => {
    const gw = await testGateway(cleanups, { limits: { outboxQueuedReadings: 2 } });
    const d = await gw.device();
    expect((await post(gw, d.reading())).statusCode).toBe(202);
    expect((await post(gw, d.reading())).statusCode).toBe(202);
    const full = await post(gw, d.reading());
    expect(full.statusCode).toBe(503);
    expect(full.json().code).toBe("LCORE_GW_OUTBOX_FULL");
    expect(full.headers["retry-after"]).toBe("5");
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(2);
  });

  it("refuses new readings once shutting down, and finishes the ones in flight", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const inFlight = gw.app.gateway.ingest.acceptOne(d.reading());
    gw.app.gateway.ingest.close();
    await expect(gw.app.gateway.ingest.acceptOne(d.reading())).rejects.toMatchObject({
      code: "LCORE_GW_SHUTTING_DOWN",
    });
    await expect(inFlight).resolves.toMatchObject({ seq: "1" });
    await gw.app.close();
    const { Outbox } = await import("../src/outbox/outbox.js");
    const reopened = new Outbox({ path: gw.options.outboxPath, groupCommitDelayMs: 0, groupCommitReadings: 10 });
    expect(reopened.readings.countQueued()).toBe(1);
    await reopened.close();
  });
});
