// The cap on records per device and disclosure day (PROTOCOL §3.5, MAX_DEVICE_DAY_RECORDS):
// a 0x11 disclosure opens every record of its day in one input, so a day holds at most that many.
import { describe, expect, it } from "vitest";
import { DISCLOSURE_PERIOD_SECONDS, MAX_BATCH_RECORDS, MAX_DEVICE_DAY_RECORDS } from "@lcore/protocol/bounds";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { recomputeState } from "@lcore/dapp";
import { T0, record, registration, reports, testDapp, testDevice, testOwner } from "./helpers.js";

const owner = testOwner("day cap");
const asOwner = { msg_sender: owner.account.address };
const gateway = { msg_sender: "0x00000000000000000000000000000000000000ab" as const };
const DAY_START = BigInt(T0) - (BigInt(T0) % DISCLOSURE_PERIOD_SECONDS);

describe("records per device-day", () => {
  it(`accepts ${MAX_DEVICE_DAY_RECORDS} records of a device in one day, skips the next with device_day_full, and counts other days and devices apart`, async () => {
    const t = await testDapp();
    const [a, b] = [testDevice("day cap a"), testDevice("day cap b")];
    for (const d of [a, b]) expect(t.advance(registration(d, owner.address), asOwner).status).toBe("accept");
    expect(
      t.advance(encodeSubmitterGrant({ allowed: true, submitter: fromHex(gateway.msg_sender) }), asOwner).status,
    ).toBe("accept");
    // One record a second from the day's start: all in the block's day.
    const inDay = (seq: bigint) => DAY_START + (seq % 7_000n);
    let seq = 0n;
    let inputs = 3; // two registrations and the grant
    while (seq < BigInt(MAX_DEVICE_DAY_RECORDS - 1)) {
      const n = Math.min(MAX_BATCH_RECORDS, MAX_DEVICE_DAY_RECORDS - 1 - Number(seq));
      const recs = Array.from({ length: n }, () => {
        seq += 1n;
        return record(a, seq, inDay(seq), 0);
      });
      const r = t.advance(encodeRecordBatch(recs), gateway);
      inputs++;
      expect(r.status).toBe("accept");
      expect(reports(r)).toEqual([]);
    }
    const last = BigInt(MAX_DEVICE_DAY_RECORDS);
    const r = t.advance(
      encodeRecordBatch([
        record(a, last, inDay(last)), // the day's last place
        record(a, last + 1n, inDay(last + 1n)), // over the cap
        record(b, 1n, inDay(1n)), // another device's day
        record(a, last + 2n, DAY_START - 1n), // the same device, the day before
      ]),
      gateway,
    );
    expect(r.status).toBe("accept");
    expect(reports(r)).toEqual([
      {
        type: "skipped",
        input: String(inputs),
        records: [{ index: 1, device: toHex(a.address), seq: String(last + 1n), reason: "device_day_full" }],
      },
    ]);
    expect(t.dapp.store.state().records).toBe(BigInt(MAX_DEVICE_DAY_RECORDS) + 2n);

    // A batch with only records over the cap is rejected and leaves no trace.
    const before = toHex(t.dapp.stateHash());
    const full = t.advance(encodeRecordBatch([record(a, last + 3n, inDay(last + 3n))]), gateway);
    expect(full.status).toBe("reject");
    expect(reports(full)[0]).toMatchObject({
      type: "skipped",
      records: [{ index: 0, seq: String(last + 3n), reason: "device_day_full" }],
    });
    expect(toHex(t.dapp.stateHash())).toBe(before);
    const stored = t.dapp.store.state();
    expect(recomputeState(t.dapp.store)).toMatchObject({ recordsHash: stored.recordsHash, records: stored.records });
    // The skipped seqs were not spent: the device goes on in another day with the next seq.
    expect(t.advance(encodeRecordBatch([record(a, last + 3n, DAY_START - 2n)]), gateway).status).toBe("accept");
  }, 60_000);
});
