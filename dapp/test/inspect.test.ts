import { describe, expect, it } from "vitest";
import { MAX_INSPECT_REPORT_BYTES } from "@lcore/protocol/bounds";
import { toHex } from "@lcore/protocol/bytes";
import { encodeInspectQuery, type RecordInfo } from "@lcore/protocol/inspect";
import { encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { record, registration, testDapp, testDevice, testOwner } from "./helpers.js";

const owner = testOwner("alice");
const asOwner = { msg_sender: owner.account.address };

/** Device a with records seq 1..45; timestamps repeat in threes so time order needs the seq tiebreak. */
async function populated(payloadLength = 8) {
  const t = await testDapp();
  const a = testDevice("a");
  t.advance(registration(a, owner.address), asOwner);
  const recs = Array.from({ length: 45 }, (_, i) =>
    record(a, BigInt(i + 1), 1_700_000_000n + BigInt(Math.floor(i / 3)), payloadLength),
  );
  for (let i = 0; i < recs.length; i += 15) {
    const batch = recs.slice(i, i + 15);
    if (payloadLength > 500) {
      for (const r of batch) expect(t.advance(encodeRecordBatch([r]), asOwner).status).toBe("accept");
    } else {
      expect(t.advance(encodeRecordBatch(batch), asOwner).status).toBe("accept");
    }
  }
  return { ...t, a, recs, dev: toHex(a.address) };
}

function pages(inspect: (p: string) => { body: any }, first: string) {
  const out: RecordInfo[][] = [];
  let cursor: string | null = null;
  do {
    const body: { records: RecordInfo[]; nextCursor: string | null } = inspect(
      cursor === null ? first : `${first}&cursor=${cursor}`,
    ).body;
    out.push(body.records);
    cursor = body.nextCursor;
  } while (cursor !== null && out.length < 100);
  return out;
}

describe("inspect", () => {
  it("reads one record back exactly as submitted", async () => {
    const { inspect, recs, dev } = await populated();
    const r = recs[6]!;
    expect(inspect(`record/${dev}/7`)).toEqual({
      status: "accept",
      body: {
        device: dev,
        seq: "7",
        timestamp: r.timestamp.toString(),
        bodyHash: toHex(r.bodyHash),
        signature: toHex(r.signature),
        sealed: toHex(r.sealed),
        recordHash: toHex(recordHash(r)),
        inputIndex: "1",
      },
    });
    expect(inspect(`record/${dev}/46`)).toEqual({
      status: "reject",
      body: { error: "not_found", detail: "no such record" },
    });
  });

  it("pages a seq range with cursors, in seq order, without gaps or repeats", async () => {
    const { inspect, dev } = await populated();
    const ps = pages(inspect, `records/${dev}?by=seq&limit=20`);
    expect(ps.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(ps.flat().map((r) => r.seq)).toEqual(Array.from({ length: 45 }, (_, i) => String(i + 1)));
    const ranged = pages(inspect, `records/${dev}?by=seq&from=10&to=19&limit=4`)
      .flat()
      .map((r) => r.seq);
    expect(ranged).toEqual(["10", "11", "12", "13", "14", "15", "16", "17", "18", "19"]);
    // An exact last page says there is no next one.
    expect(inspect(`records/${dev}?from=41&limit=5`).body.nextCursor).toBeNull();
  });

  it("pages a time range in (timestamp, seq) order", async () => {
    const { inspect, dev } = await populated();
    const ps = pages(inspect, `records/${dev}?by=time&from=1700000002&to=1700000005&limit=5`);
    expect(ps.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(ps.flat().map((r) => r.seq)).toEqual(["7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18"]);
    expect(ps[0]![0]!.timestamp).toBe("1700000002");
  });

  it("keeps every answer under MAX_INSPECT_REPORT_BYTES, cutting pages of large records early", async () => {
    const { dapp, dev } = await populated(1024);
    const raw = dapp.inspect(new TextEncoder().encode(`records/${dev}?limit=100`)).reports[0]!;
    expect(raw.length).toBeLessThanOrEqual(MAX_INSPECT_REPORT_BYTES);
    const body = JSON.parse(new TextDecoder().decode(raw));
    expect(body.records.length).toBeGreaterThan(10);
    expect(body.records.length).toBeLessThan(45);
    expect(body.nextCursor).toBe(body.records.at(-1).seq);
  });

  it("answers counters and state hash", async () => {
    const { inspect, dapp } = await populated();
    expect(inspect("counters").body).toEqual({
      devices: "1",
      activeDevices: "1",
      revokedDevices: "0",
      records: "45",
      batches: "3",
      skippedRecords: "0",
      lastInputIndex: "3",
    });
    expect(inspect("state-hash").body).toMatchObject({
      stateHash: toHex(dapp.stateHash()),
      devices: "1",
      records: "45",
    });
    expect(inspect(`device/${toHex(testDevice("a").address)}`).body).toMatchObject({ lastSeq: "45", records: "45" });
  });

  it("refuses bad queries with bad_query or not_found, and never throws", async () => {
    const { inspect, dapp, dev } = await populated();
    const bad = [
      "",
      "nope",
      "device",
      `device/${dev}/x`,
      "device/0x1234",
      `records/${dev}?limit=0`,
      `records/${dev}?limit=101`,
      `records/${dev}?by=size`,
      `records/${dev}?from=-1`,
      `records/${dev}?from=9223372036854775808`,
      `records/${dev}?x=1`,
      `records/${dev}?limit=1&limit=2`,
      `records/${dev}?limit`,
      `records/${dev}?by=time&cursor=5`,
      `records/${dev}?cursor=1-2`,
      `record/${dev}/01`,
      "counters?x=1",
      "a".repeat(513),
    ];
    for (const q of bad) expect(inspect(q), q).toMatchObject({ status: "reject", body: { error: "bad_query" } });
    expect(dapp.inspect(Uint8Array.of(0xff, 0xfe)).status).toBe("reject");
    expect(inspect(`device/0x${"00".repeat(20)}`).body.error).toBe("not_found");
    expect(inspect(`records/0x${"00".repeat(20)}`).body.error).toBe("not_found");
  });

  it("encodeInspectQuery writes the paths the dApp reads", async () => {
    const { dapp, a } = await populated();
    const q = encodeInspectQuery({
      kind: "records",
      device: a.address,
      by: "time",
      from: 0n,
      to: 1_800_000_000n,
      limit: 3,
      cursor: "1700000000-2",
    });
    const body = JSON.parse(new TextDecoder().decode(dapp.inspect(q).reports[0]!));
    expect(body.records.map((r: RecordInfo) => r.seq)).toEqual(["3", "4", "5"]);
  });
});
