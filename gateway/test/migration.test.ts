// The migration routes (PROTOCOL §7.7) by inject: MVP devices and rows in, one outcome per
// row, readings built deterministically so that a resent row is a duplicate and never a
// second record, and each refusal with its stable reason.

import { randomBytes } from "node:crypto";
import { MAX_READING_PAYLOAD } from "@lcore/protocol/bounds";
import { afterEach, describe, expect, it } from "vitest";
import { decodeProvenance, encodeProvenance } from "@lcore/protocol/mvpMigration";
import { Secret } from "../src/util/secrets.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const NOW = Math.floor(Date.now() / 1000);
const hex = (s: string | Buffer) => `0x${Buffer.from(s).toString("hex")}`;

interface Row {
  device_id: string;
  row_id: string;
  submission_date: string;
  transaction_hash: string | null;
  data: string;
}
const row = (id: number, over: Partial<Row> = {}): Row => ({
  device_id: "mvp-1",
  row_id: String(id),
  submission_date: String(NOW - 86_400 + id),
  transaction_hash: null,
  data: hex(String(id / 4)),
  ...over,
});

async function devices(gw: TestGateway, ids: string[]) {
  const res = await gw.app.inject({
    method: "POST",
    url: "/v1/migration/devices",
    headers: auth,
    payload: { devices: ids.map((device_id) => ({ device_id })) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().devices as { device_id: string; outcome: string; device?: string; reason?: string }[];
}

async function migrate(gw: TestGateway, rows: Row[]) {
  const res = await gw.app.inject({ method: "POST", url: "/v1/migration/readings", headers: auth, payload: { rows } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().rows as {
    row_id: string;
    outcome: string;
    reason?: string;
    device?: string;
    seq?: string;
    status?: string;
  }[];
}

async function plaintext(gw: TestGateway, device: string) {
  const res = await gw.app.inject({ method: "GET", url: `/v1/devices/${device}/records`, headers: auth });
  return res.json().records as {
    seq: string;
    timestamp: string;
    nonce: string;
    value: string;
    payload: string;
    digest: string;
  }[];
}

describe("provenance payload", () => {
  it("round-trips the row, tells a NULL transaction hash from an empty one, and keeps the reading payload bound", () => {
    for (const transactionHash of [null, "", "0xabc"]) {
      const p = { rowId: 7n, submissionDate: 1_700_000_000n, transactionHash, data: new Uint8Array([0, 255, 1]) };
      expect(decodeProvenance(encodeProvenance(p))).toEqual(p);
    }
    const fits = new Uint8Array(MAX_READING_PAYLOAD - 21);
    expect(encodeProvenance({ rowId: 1n, submissionDate: 1n, transactionHash: null, data: fits })).toHaveLength(
      MAX_READING_PAYLOAD,
    );
    expect(() => encodeProvenance({ rowId: 1n, submissionDate: 1n, transactionHash: "0x", data: fits })).toThrow(
      RangeError,
    );
    expect(decodeProvenance(new TextEncoder().encode("21.5"))).toBeUndefined();
  });
});

describe("POST /v1/migration/devices", () => {
  it("registers under the MVP route's custodial key, answers an existing device_id with its device, and skips an id the MVP route would refuse", async () => {
    const gw = await testGateway(cleanups);
    const mvp = await gw.app.inject({
      method: "POST",
      url: "/device/register",
      payload: { device_id: "live-1", public_key: "k" },
    });
    const first = await devices(gw, ["mvp-1", "live-1", "bad id!"]);
    expect(first).toEqual([
      { device_id: "mvp-1", outcome: "registered", device: expect.stringMatching(/^0x[0-9a-f]{40}$/) },
      { device_id: "live-1", outcome: "existing", device: mvp.json().device },
      { device_id: "bad id!", outcome: "skipped", reason: "device_id_invalid" },
    ]);
    expect(await devices(gw, ["mvp-1"])).toEqual([
      { device_id: "mvp-1", outcome: "existing", device: first[0]!.device },
    ]);
    expect(gw.app.gateway.registry.size).toBe(2);
    expect(gw.app.gateway.outbox.inputs.get(gw.app.gateway.registry.byMvpId("mvp-1")!.inputId)?.kind).toBe(
      "registration",
    );
  });

  it("needs the owner token", async () => {
    const gw = await testGateway(cleanups);
    for (const url of ["/v1/migration/devices", "/v1/migration/readings", "/v1/migration/status"]) {
      const res = await gw.app.inject({ method: "POST", url, payload: {} });
      expect(res.json()).toMatchObject({ statusCode: 401, code: "LCORE_GW_UNAUTHORIZED" });
    }
  });
});

describe("POST /v1/migration/readings", () => {
  it("stores each row once as a reading carrying its MVP row; a resent row is a duplicate with the same bytes", async () => {
    const gw = await testGateway(cleanups);
    const [{ device }] = (await devices(gw, ["mvp-1"])) as unknown as [{ device: string }];
    const rows = [
      row(3, { transaction_hash: "0xfeed" }),
      row(5, { data: hex(Buffer.from([0xff, 0])) }),
      row(9, { data: hex('{"t":1}') }),
    ];
    expect(await migrate(gw, rows)).toEqual(
      rows.map((r) => ({ row_id: r.row_id, outcome: "migrated", device, seq: r.row_id, status: "queued" })),
    );
    const stored = await plaintext(gw, device);

    // An interrupted client sends a batch again, with new rows after the stored ones.
    const again = await migrate(gw, [...rows, row(12)]);
    expect(again.map((r) => r.outcome)).toEqual(["duplicate", "duplicate", "duplicate", "migrated"]);
    const after = await plaintext(gw, device);
    expect(after.slice(0, 3)).toEqual(stored);
    expect(after.map((r) => r.seq)).toEqual(["3", "5", "9", "12"]);

    // seq = row id, timestamp = submission_date, value = round(data × 1000) when data is a JSON number, else 0.
    expect(after.map((r) => [r.timestamp, r.value])).toEqual([
      [rows[0]!.submission_date, "750"],
      [rows[1]!.submission_date, "0"],
      [rows[2]!.submission_date, "0"],
      [row(12).submission_date, "3000"],
    ]);
    expect(decodeProvenance(Buffer.from(after[0]!.payload.slice(2), "hex"))).toEqual({
      rowId: 3n,
      submissionDate: BigInt(rows[0]!.submission_date),
      transactionHash: "0xfeed",
      data: new TextEncoder().encode("0.75"),
    });
    expect(decodeProvenance(Buffer.from(after[1]!.payload.slice(2), "hex"))?.data).toEqual(new Uint8Array([0xff, 0]));
  });

  it("derives the body nonce from the owner key: the same row gives the same reading under the same key, another under another key", async () => {
    const key = new Uint8Array(randomBytes(32));
    const nonces: string[] = [];
    const digests: string[] = [];
    for (const ownerKey of [key, key, new Uint8Array(randomBytes(32))]) {
      const gw = await testGateway(cleanups, {
        ownerKey: new Secret(ownerKey),
        app: "0x00000000000000000000000000000000000000aa",
      });
      const [{ device }] = (await devices(gw, ["mvp-1"])) as unknown as [{ device: string }];
      await migrate(gw, [row(1)]);
      const [r] = await plaintext(gw, device);
      nonces.push(r!.nonce);
      digests.push(r!.digest);
    }
    expect(nonces[1]).toBe(nonces[0]);
    expect(digests[1]).toBe(digests[0]);
    expect(nonces[2]).not.toBe(nonces[0]);
  });

  it("skips, with a stable reason, every row that cannot become a reading, and stores the others", async () => {
    const gw = await testGateway(cleanups);
    await devices(gw, ["mvp-1"]);
    await migrate(gw, [row(100)]);
    const answers = await migrate(gw, [
      row(1, { device_id: "never-registered" }),
      row(2, { data: hex(Buffer.alloc(MAX_READING_PAYLOAD - 20)) }),
      row(3, { submission_date: String(NOW + 3600) }),
      row(4, { submission_date: "-1" }),
      row(-5),
      row(6, { data: hex("1e300") }),
      row(8, { data: hex("1e306") }), // × 1000 overflows a double to Infinity
      row(7, { transaction_hash: "x".repeat(255) }),
      row(50, { data: hex("different") }), // below the device's last seq (100), and not the reading stored there
      row(101),
    ]);
    expect(answers.map((a) => [a.row_id, a.outcome, a.reason])).toEqual([
      ["1", "skipped", "device_unknown"],
      ["2", "skipped", "data_too_large"],
      ["3", "skipped", "submission_date_in_future"],
      ["4", "skipped", "bad_submission_date"],
      ["-5", "skipped", "bad_row_id"],
      ["6", "skipped", "value_out_of_range"],
      ["8", "skipped", "value_out_of_range"],
      ["7", "skipped", "bad_transaction_hash"],
      ["50", "skipped", "device_past_row"],
      ["101", "migrated", undefined],
    ]);
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(2);
  });

  it("answers a resend that races the first request's commit with a retry, never a skip", async () => {
    const gw = await testGateway(cleanups, { limits: { groupCommitDelayMs: 2000 } });
    await devices(gw, ["mvp-1"]);
    const rows = [row(1), row(2)];
    const first = gw.app.inject({ method: "POST", url: "/v1/migration/readings", headers: auth, payload: { rows } });
    // The first request has taken the rows (the device's last seq moved) and waits for its group commit.
    while (gw.app.gateway.registry.byMvpId("mvp-1")?.lastSeq !== 2n) await new Promise((r) => setTimeout(r, 1));
    expect(gw.app.gateway.outbox.readings.get(gw.app.gateway.registry.byMvpId("mvp-1")!.address, 1n)).toBeUndefined();
    const resend = await gw.app.inject({
      method: "POST",
      url: "/v1/migration/readings",
      headers: auth,
      payload: { rows },
    });
    expect(resend.statusCode).toBe(503);
    expect(resend.json()).toMatchObject({ code: "LCORE_GW_STORAGE_BUSY" });
    expect(resend.headers["retry-after"]).toBe("1");
    expect((await first).json().rows.map((r: { outcome: string }) => r.outcome)).toEqual(["migrated", "migrated"]);
    expect((await migrate(gw, rows)).map((r) => r.outcome)).toEqual(["duplicate", "duplicate"]);
  });

  it("is not held to the device rate limit: MVP history arrives in bulk", async () => {
    const gw = await testGateway(cleanups, { limits: { deviceRateBurst: 10, deviceRatePerSecond: 1 } });
    await devices(gw, ["mvp-1"]);
    const answers = await migrate(
      gw,
      Array.from({ length: 500 }, (_, i) => row(i + 1)),
    );
    expect(answers.every((a) => a.outcome === "migrated")).toBe(true);
    const refused = await gw.app.inject({
      method: "POST",
      url: "/v1/migration/readings",
      headers: auth,
      payload: { rows: Array.from({ length: 501 }, (_, i) => row(i + 1)) },
    });
    expect(refused.json()).toMatchObject({ statusCode: 400, code: "LCORE_GW_INVALID_REQUEST" });
  });
});

describe("POST /v1/migration/status", () => {
  it("answers the status of each reading, missing when the gateway has none", async () => {
    const gw = await testGateway(cleanups);
    const [{ device }] = (await devices(gw, ["mvp-1"])) as unknown as [{ device: string }];
    await migrate(gw, [row(1)]);
    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/migration/status",
      headers: auth,
      payload: {
        readings: [
          { device, seq: "1" },
          { device, seq: "2" },
        ],
      },
    });
    expect(res.json()).toEqual({
      readings: [
        { device, seq: "1", status: "queued" },
        { device, seq: "2", status: "missing" },
      ],
    });
  });
});
