// Owner routes POST /v1/disclosures and GET /v1/disclosures/{id} without a chain: what
// is refused (and stores nothing), the 0x11 input that is queued (its key opens the
// period's records and only them), and the follower turning the node's answer into the
// disclosure's verdict. The devnet run is disclosure.e2e.test.ts.

import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { periodOf } from "@lcore/protocol/deviceMessage";
import { encodeDisclosureNotice } from "@lcore/protocol/disclosure";
import { decodeInput } from "@lcore/protocol/input";
import { derivePeriodKey, openReading } from "@lcore/protocol/sealing";
import { afterEach, describe, expect, it } from "vitest";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { Follower } from "../src/chain/follower.js";
import type { NodeInput } from "../src/chain/nodeReader.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
/** The day before yesterday: over on any clock the test runs on. */
const PERIOD = Math.floor(Date.now() / 1000 / DAY) - 2;
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as const;

async function withReadings(gw: TestGateway, values: bigint[], period = PERIOD) {
  const d = await gw.device();
  for (const [i, value] of values.entries()) {
    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: d.reading({ value, timestamp: period * DAY + 60 * i }),
    });
    expect(res.statusCode).toBe(202);
  }
  return d;
}

/** Packs every queued reading into a record-batch input, as the batcher loop would. */
const pack = (gw: TestGateway) => new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 0 })).tick(Date.now());

const disclose = (gw: TestGateway, payload: object, headers: Record<string, string> = auth) =>
  gw.app.inject({ method: "POST", url: "/v1/disclosures", headers, payload });

describe("POST /v1/disclosures", () => {
  it("queues a 0x11 input whose key opens that period's records, and answers with a status url", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [5n, -3n]);
    await pack(gw);
    const res = await disclose(gw, { device: d.hex, period: PERIOD, aggregateVoucher: true });
    expect(res.statusCode).toBe(202);
    const receipt = res.json();
    expect(receipt).toEqual({
      id: expect.any(Number),
      device: d.hex,
      period: PERIOD,
      status: "queued",
      statusUrl: `/v1/disclosures/${receipt.id}`,
    });

    const input = gw.app.gateway.outbox.inputs.get(receipt.id)!;
    expect(input.kind).toBe("disclosure");
    const decoded = decodeInput(input.payload);
    if (decoded.kind !== "key_disclosure") throw new Error(`decoded ${decoded.kind}`);
    expect(decoded).toMatchObject({ period: PERIOD, voucher: true });
    expect(hex(decoded.device)).toBe(d.hex);
    const expected = derivePeriodKey(gw.options.ownerKey.reveal(), gw.app.gateway.appBytes, d.address, PERIOD);
    expect(Buffer.from(decoded.periodKey).equals(Buffer.from(expected))).toBe(true);
    // The key opens the records of the period exactly as the dApp will.
    for (const seq of [1n, 2n]) {
      const r = gw.app.gateway.outbox.readings.get(d.address, seq)!;
      expect(periodOf(r.timestamp)).toBe(PERIOD);
      expect(() =>
        openReading({
          periodKey: decoded.periodKey,
          app: gw.app.gateway.appBytes,
          device: d.address,
          seq,
          digest: r.digest,
          sealed: r.sealed,
        }),
      ).not.toThrow();
    }
    // The key leaves the gateway only in the input: no answer shows it.
    const status = await gw.app.inject({ method: "GET", url: receipt.statusUrl, headers: auth });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      id: receipt.id,
      device: d.hex,
      period: PERIOD,
      aggregateVoucher: true,
      status: "queued",
    });
    expect(status.json().aggregate).toBeUndefined();
    for (const body of [res.body, status.body]) expect(body).not.toContain(Buffer.from(expected).toString("hex"));
    // The key is public from now on: a late reading of the period is refused, not sealed under it; the next day is not affected.
    const late = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: d.reading({ value: 1n, timestamp: PERIOD * DAY + DAY - 1 }),
    });
    expect([late.statusCode, late.json().code]).toEqual([409, "LCORE_GW_PERIOD_DISCLOSED"]);
    const next = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: d.reading({ value: 1n, timestamp: (PERIOD + 1) * DAY }),
    });
    expect(next.statusCode).toBe(202);
  });

  it("refuses with typed errors and stores nothing", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [1n]);
    const inputs = () => gw.app.gateway.outbox.inputs.countUnincluded();
    const before = inputs(); // the registration

    const cases: [object, Record<string, string> | undefined, number, string][] = [
      [{ device: d.hex, period: PERIOD }, {}, 401, "LCORE_GW_UNAUTHORIZED"],
      [{ device: hex(new Uint8Array(20).fill(7)), period: PERIOD }, undefined, 404, "LCORE_GW_DEVICE_UNKNOWN"],
      [{ device: d.hex, period: 2 ** 32 }, undefined, 400, "LCORE_GW_INVALID_REQUEST"],
      [{ device: d.hex, period: -1 }, undefined, 400, "LCORE_GW_INVALID_REQUEST"],
      [
        { device: d.hex, period: PERIOD, periodKey: hex(new Uint8Array(32)) },
        undefined,
        400,
        "LCORE_GW_INVALID_REQUEST",
      ],
      // Today is not over: readings of it may still come.
      [{ device: d.hex, period: PERIOD + 2 }, undefined, 409, "LCORE_GW_PERIOD_NOT_OVER"],
      [{ device: d.hex, period: PERIOD - 1 }, undefined, 422, "LCORE_GW_DISCLOSURE_NO_READINGS"],
      // The reading of PERIOD is not yet in an input: the disclosure would reach the dApp first.
      [{ device: d.hex, period: PERIOD }, undefined, 409, "LCORE_GW_DISCLOSURE_READINGS_QUEUED"],
    ];
    for (const [payload, headers, status, code] of cases) {
      const res = await disclose(gw, payload, headers ?? auth);
      expect([res.statusCode, res.json().code], JSON.stringify(payload)).toEqual([status, code]);
    }
    expect(inputs()).toBe(before);
    expect((await gw.app.inject({ method: "GET", url: "/v1/disclosures/99", headers: auth })).json().code).toBe(
      "LCORE_GW_DISCLOSURE_NOT_FOUND",
    );
    expect((await gw.app.inject({ method: "GET", url: "/v1/disclosures/1" })).statusCode).toBe(401);

    await pack(gw);
    const first = await disclose(gw, { device: d.hex, period: PERIOD });
    expect(first.statusCode).toBe(202);
    const again = await disclose(gw, { device: d.hex, period: PERIOD, aggregateVoucher: true });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: "LCORE_GW_DISCLOSURE_EXISTS",
      id: first.json().id,
      statusUrl: first.json().statusUrl,
    });
  });
});

describe("a disclosure and readings of its period at the same moment", () => {
  it("a reading still in the group commit is waited for, so the disclosure cannot overtake it", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [1n]);
    await pack(gw);
    const { ingest, disclosures } = gw.app.gateway;
    // Handed to the group commit, not yet written, when the request counts queued readings.
    const late = ingest.acceptOne(d.reading({ value: 2n, timestamp: PERIOD * DAY + 3600 }));
    await expect(
      disclosures.request({ device: d.address, period: PERIOD, voucher: false }, Date.now()),
    ).rejects.toMatchObject({ code: "LCORE_GW_DISCLOSURE_READINGS_QUEUED" });
    await expect(late).resolves.toMatchObject({ status: "queued" });
  });

  it("a reading arriving while the request is written is refused", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [1n]);
    await pack(gw);
    const { ingest, disclosures } = gw.app.gateway;
    const asked = disclosures.request({ device: d.address, period: PERIOD, voucher: false }, Date.now());
    await expect(ingest.acceptOne(d.reading({ value: 2n, timestamp: PERIOD * DAY + 3600 }))).rejects.toMatchObject({
      code: "LCORE_GW_PERIOD_DISCLOSED",
    });
    await expect(asked).resolves.toBeTypeOf("number");
    expect(gw.app.gateway.outbox.readings.get(d.address, 2n)).toBeUndefined();
  });
});

describe("GET /v1/disclosures/{id} after the node's answer", () => {
  /** Marks every unincluded input mined at consecutive indexes, then lets the follower read `answer(input)`. */
  async function follow(gw: TestGateway, answer: (kind: string, payload: Uint8Array) => NodeInput) {
    const { outbox } = gw.app.gateway;
    let index = 0;
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
    const follower = new Follower(gw.app.gateway, {
      input: async (i) => answer(outbox.inputs.byInputIndex(i)!.kind, outbox.inputs.byInputIndex(i)!.payload),
    });
    expect(await follower.step()).toBe(index);
  }

  it("accepted: the aggregate of the dApp's 0x91 notice", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [4n, 9n]);
    await pack(gw);
    const { id } = (await disclose(gw, { device: d.hex, period: PERIOD })).json();
    const stateHash = new Uint8Array(32).fill(0xab);
    await follow(gw, (kind, payload) => {
      if (kind !== "disclosure") return { status: "ACCEPTED", notices: [], reports: [] };
      const k = decodeInput(payload);
      if (k.kind !== "key_disclosure") throw new Error("not a disclosure");
      const notice = encodeDisclosureNotice({
        stateHash,
        device: k.device,
        period: k.period,
        periodKey: k.periodKey,
        count: 2n,
        sum: 13n,
        min: 4n,
        max: 9n,
      });
      return { status: "ACCEPTED", notices: [{ index: 41, payload: hex(notice) }], reports: [] };
    });
    const status = (await gw.app.inject({ method: "GET", url: `/v1/disclosures/${id}`, headers: auth })).json();
    expect(status).toMatchObject({
      status: "accepted",
      inputIndex: 2,
      noticeIndex: 41,
      aggregate: { count: "2", sum: "13", min: "4", max: "9", stateHash: hex(stateHash) },
    });
  });

  it("rejected: the dApp's reason; the period may then be asked again", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [1n]);
    await pack(gw);
    const { id } = (await disclose(gw, { device: d.hex, period: PERIOD })).json();
    const reason = hex(Buffer.from(JSON.stringify({ type: "rejected", input: "2", reason: "no_records", detail: "" })));
    await follow(gw, (kind) =>
      kind === "disclosure"
        ? { status: "REJECTED", notices: [], reports: [{ payload: reason }] }
        : { status: "ACCEPTED", notices: [], reports: [] },
    );
    const status = (await gw.app.inject({ method: "GET", url: `/v1/disclosures/${id}`, headers: auth })).json();
    expect(status).toMatchObject({ status: "rejected", reason: "no_records" });
    expect(status.aggregate).toBeUndefined();
    expect(status.failedRecord).toBeUndefined();
    expect((await disclose(gw, { device: d.hex, period: PERIOD })).statusCode).toBe(202);
  });

  it("rejected because one record did not open: the status names that record, as the dApp's report did", async () => {
    const gw = await testGateway(cleanups);
    const d = await withReadings(gw, [1n, 2n]);
    await pack(gw);
    const { id } = (await disclose(gw, { device: d.hex, period: PERIOD })).json();
    const record = { device: d.hex, seq: "2", recordHash: hex(new Uint8Array(32).fill(0x5c)) };
    const report = hex(
      Buffer.from(
        JSON.stringify({
          type: "rejected",
          input: "2",
          reason: "bad_period_key",
          detail: "record seq 2: does not open with this key",
          record,
        }),
      ),
    );
    await follow(gw, (kind) =>
      kind === "disclosure"
        ? { status: "REJECTED", notices: [], reports: [{ payload: report }] }
        : { status: "ACCEPTED", notices: [], reports: [] },
    );
    const status = (await gw.app.inject({ method: "GET", url: `/v1/disclosures/${id}`, headers: auth })).json();
    expect(status).toMatchObject({ status: "rejected", reason: "bad_period_key", failedRecord: record });
  });
});
