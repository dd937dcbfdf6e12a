import { describe, expect, it } from "vitest";
import { MAX_FUTURE_SKEW_SECONDS } from "@lcore/protocol/bounds";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { recomputeState } from "@lcore/dapp";
import {
  T0,
  notices,
  record,
  registration,
  reports,
  revocation,
  rotation,
  testDapp,
  testDevice,
  testOwner,
} from "./helpers.js";

const owner = testOwner("alice");
const asOwner = { msg_sender: owner.account.address };
/** The relayer that submits the batches: the owner allows it first (PROTOCOL §3.6). */
const gateway = { msg_sender: "0x00000000000000000000000000000000000000aa" as const };

async function withDevices(...seeds: string[]) {
  const t = await testDapp();
  const devices = seeds.map((s) => testDevice(s));
  for (const d of devices) expect(t.advance(registration(d, owner.address), asOwner).status).toBe("accept");
  expect(
    t.advance(encodeSubmitterGrant({ allowed: true, submitter: fromHex(gateway.msg_sender) }), asOwner).status,
  ).toBe("accept");
  return { ...t, devices };
}

describe("record batches", () => {
  it("stores every valid record and lists (device, seq, record hash) with the state hash in one notice", async () => {
    const {
      advance,
      dapp,
      devices: [a, b],
    } = await withDevices("a", "b");
    const recs = [record(a!, 1n), record(b!, 1n), record(a!, 2n), record(a!, 10n)];
    const r = advance(encodeRecordBatch(recs), gateway);
    expect(r.status).toBe("accept");
    expect(reports(r)).toEqual([]);
    const ns = notices(r);
    expect(ns).toHaveLength(1);
    const n = ns[0]!;
    if (n.kind !== "records_accepted") throw new Error();
    expect(n.records.map((e) => [toHex(e.device), e.seq, toHex(e.recordHash)])).toEqual(
      recs.map((x) => [toHex(x.device), x.seq, toHex(recordHash(x))]),
    );
    expect(toHex(n.stateHash)).toBe(toHex(dapp.stateHash()));
    expect(dapp.store.state()).toMatchObject({ records: 4n, batches: 1n, skippedRecords: 0n, lastInputIndex: 3n });
  });

  it("skips bad records with their reasons and keeps the rest", async () => {
    const {
      advance,
      inspect,
      devices: [a, b],
    } = await withDevices("a", "b", "revoked");
    const revoked = testDevice("revoked");
    advance(revocation(revoked.address), asOwner);
    advance(encodeRecordBatch([record(a!, 5n)]), gateway);
    const forged = { ...record(a!, 6n), signature: record(b!, 6n).signature };
    const highS = record(a!, 9n);
    {
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const s = BigInt(toHex(highS.signature.subarray(32)));
      highS.signature = highS.signature.slice();
      highS.signature.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
    }
    const recs = [
      record(a!, 5n), //                                    0 replay
      record(testDevice("stranger"), 1n), //                1 unknown device
      forged, //                                            2 signed by another key
      record(a!, 7n), //                                    3 ok
      record(a!, 7n), //                                    4 same seq twice in a batch
      record(a!, 6n), //                                    5 lower than 7 now
      record(revoked, 1n), //                               6 revoked
      record(b!, 1n, BigInt(T0) + MAX_FUTURE_SKEW_SECONDS + 1n), // 7 from the future
      record(b!, 1n, BigInt(T0) + MAX_FUTURE_SKEW_SECONDS), //     8 ok: at the skew limit
      { ...record(a!, 8n), seq: 1n << 63n }, //           9 seq ≥ 2^63
      highS, //                                            10 high-s twin of a valid signature
      { ...record(a!, 11n), sealed: record(a!, 11n).sealed.map((x) => x ^ 1) }, // 11 ok: the dApp never opens sealed
    ];
    const r = advance(encodeRecordBatch(recs), gateway);
    expect(r.status).toBe("accept");
    const skipped = (reports(r)[0] as { records: { index: number; reason: string }[] }).records;
    expect(skipped.map((s) => [s.index, s.reason])).toEqual([
      [0, "seq_not_increasing"],
      [1, "unknown_device"],
      [2, "bad_signature"],
      [4, "seq_not_increasing"],
      [5, "seq_not_increasing"],
      [6, "device_revoked"],
      [7, "timestamp_in_future"],
      [9, "seq_out_of_range"],
      [10, "bad_signature"],
    ]);
    expect(reports(r)[0]).toMatchObject({ type: "skipped", input: "6" });
    const n = notices(r)[0]!;
    if (n.kind !== "records_accepted") throw new Error();
    expect(n.records.map((e) => e.seq)).toEqual([7n, 1n, 11n]);
    expect(inspect("counters").body).toMatchObject({ records: "4", batches: "2", skippedRecords: "9" });
  });

  it("rejects a batch in which every record is bad, leaving no trace", async () => {
    const {
      advance,
      dapp,
      devices: [a],
    } = await withDevices("a");
    advance(encodeRecordBatch([record(a!, 1n)]), gateway);
    const before = toHex(dapp.stateHash());
    const r = advance(encodeRecordBatch([record(a!, 1n), record(testDevice("x"), 1n)]), gateway);
    expect(r.status).toBe("reject");
    expect(reports(r).map((x) => x.type)).toEqual(["skipped", "rejected"]);
    expect(reports(r)[1]).toMatchObject({ reason: "no_record_accepted" });
    expect(toHex(dapp.stateHash())).toBe(before);
    expect(dapp.store.state().lastInputIndex).toBe(2n);
  });

  it("rejects a malformed envelope outright even if its first records are good", async () => {
    const {
      advance,
      dapp,
      devices: [a],
    } = await withDevices("a");
    const before = toHex(dapp.stateHash());
    const payload = encodeRecordBatch([record(a!, 1n), record(a!, 2n)]);
    const r = advance(payload.subarray(0, payload.length - 3), gateway);
    expect(r.status).toBe("reject");
    expect(reports(r)).toEqual([expect.objectContaining({ type: "rejected", reason: "truncated" })]);
    expect(toHex(dapp.stateHash())).toBe(before);
  });

  it("verifies against the current key: after rotation old-key records are skipped", async () => {
    const {
      advance,
      devices: [a],
    } = await withDevices("a");
    const next = testDevice("a-next");
    advance(encodeRecordBatch([record(a!, 1n)]), gateway);
    advance(rotation(a!.address, next, 0n), asOwner);
    const r = advance(encodeRecordBatch([record(a!, 2n), record(a!, 3n, undefined, 8, next)]), gateway);
    expect((reports(r)[0] as { records: unknown[] }).records).toEqual([
      expect.objectContaining({ index: 0, reason: "bad_signature" }),
    ]);
    const n = notices(r)[0]!;
    expect(n.kind === "records_accepted" && n.records.map((e) => e.seq)).toEqual([3n]);
  });

  it("rolls an input back entirely when the dApp fails half-way (internal_error)", async () => {
    const {
      advance,
      dapp,
      devices: [a],
    } = await withDevices("a");
    const before = toHex(dapp.stateHash());
    // The write after the records' insert (the batch's records go in one multi-row INSERT) fails.
    const sql = dapp.store.sql;
    const run = sql.run;
    let written = false;
    sql.run = (text, params) => {
      if (written && text.startsWith("INSERT INTO device_records ")) throw new Error("disk on fire");
      run.call(sql, text, params);
      if (text.startsWith("INSERT INTO records ")) written = true;
    };
    const r = advance(encodeRecordBatch([record(a!, 1n), record(a!, 2n)]), gateway);
    expect(r.status).toBe("reject");
    expect(reports(r)).toEqual([expect.objectContaining({ reason: "internal_error", detail: "Error: disk on fire" })]);
    expect(toHex(dapp.stateHash())).toBe(before);
    expect(recomputeState(dapp.store).records).toBe(0n);
    sql.run = run;
    expect(advance(encodeRecordBatch([record(a!, 1n), record(a!, 2n)]), gateway).status).toBe("accept");
  });

  it("rejects malformed portal deposits and unknown kinds", async () => {
    const { advance } = await testDapp();
    const r = advance(Uint8Array.of(1, 2, 3), { msg_sender: "0xA632c5c05812c6a6149B7af5C56117d1D2603828" });
    expect(reports(r)[0]).toMatchObject({ reason: "truncated" });
    for (const kind of [0x13, 0x40]) {
      expect(reports(advance(Uint8Array.of(kind, 1)))[0]).toMatchObject({ reason: "unknown_kind" });
    }
  });
});
