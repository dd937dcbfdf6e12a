// Typed report bodies: what the dApp writes, the gateway parses back field by field; and the
// settlement voucher's call, encoded and decoded by the same module.
import { describe, expect, it } from "vitest";
import { encodeRecordBatch, recordBatchCount } from "@lcore/protocol/recordBatch";
import { encodeReport, parseReport, type Report } from "@lcore/protocol/reports";
import {
  decodeRecordAggregateCall,
  decodeSettlePeriodCall,
  encodeRecordAggregateCall,
  encodeSettlePeriodCall,
} from "@lcore/protocol/settlement";

const DEVICE = `0x${"ab".repeat(20)}` as const;
const HASH = `0x${"cd".repeat(32)}` as const;
const utf8 = (s: string) => new TextEncoder().encode(s);

const reports: Report[] = [
  {
    type: "rejected",
    input: "7",
    reason: "bad_record_proof",
    detail: "x",
    record: { device: DEVICE, seq: "3", recordHash: HASH },
  },
  { type: "rejected", input: "8", reason: "internal_error", detail: "Error: boom" },
  { type: "skipped", input: "9", records: [{ index: 0, device: DEVICE, seq: "1", reason: "seq_not_increasing" }] },
  { type: "bounty_refused", input: "10", reason: "zero_amount", detail: "a bounty of 0" },
  { type: "disclosure_part", input: "11", device: DEVICE, period: 20_400, disclosed: "317", pruned: "1440" },
];

describe("reports", () => {
  it("are the JSON of the body, keys in the order written, and parse back to it", () => {
    for (const r of reports) {
      const bytes = encodeReport(r);
      expect(new TextDecoder().decode(bytes)).toBe(JSON.stringify(r));
      expect(parseReport(bytes)).toEqual(r);
    }
  });

  it("refuse what is not one of the dApp's reports, field by field", () => {
    const bad = [
      "not json",
      "[1]",
      '{"type":"rejected","input":"1","reason":"no_such_reason","detail":""}',
      '{"type":"rejected","input":"x","reason":"internal_error","detail":""}',
      `{"type":"rejected","input":"1","reason":"internal_error","detail":"","record":{"device":"0x12","seq":"1","recordHash":"${HASH}"}}`,
      `{"type":"skipped","input":"1","records":[{"index":-1,"device":"${DEVICE}","seq":"1","reason":"seq_not_increasing"}]}`,
      `{"type":"skipped","input":"1","records":[{"index":0,"device":"${DEVICE}","seq":"1","reason":"nope"}]}`,
      '{"type":"bounty_refused","input":"1","reason":"nope","detail":""}',
      `{"type":"disclosure_part","input":"1","device":"${DEVICE}","period":"5","disclosed":"1","pruned":"2"}`,
      '{"type":"something_else","input":"1"}',
    ];
    for (const b of bad) expect(parseReport(utf8(b)), b).toBeUndefined();
    expect(parseReport(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
  });
});

describe("the settlePeriod call", () => {
  it("decodes what encodeSettlePeriodCall wrote", () => {
    const root = new Uint8Array(32).fill(7);
    const state = new Uint8Array(32).fill(9);
    const devices = new Uint8Array(32).fill(3);
    const settled = {
      period: 485_000n,
      recordsRoot: root,
      recordCount: 1440n,
      stateHash: state,
      devicesRoot: devices,
      deviceCount: 2n,
    };
    const call = encodeSettlePeriodCall(settled);
    expect(call.length).toBe(4 + 6 * 32);
    expect(decodeSettlePeriodCall(call)).toEqual(settled);
  });

  it("is not another call, a truncated one, or one with a uint64 word over 64 bits", () => {
    const call = encodeSettlePeriodCall({
      period: 1n,
      recordsRoot: new Uint8Array(32),
      recordCount: 1n,
      stateHash: new Uint8Array(32),
      devicesRoot: new Uint8Array(32),
      deviceCount: 1n,
    });
    expect(decodeSettlePeriodCall(call.subarray(0, call.length - 1))).toBeUndefined();
    const wide = call.slice();
    wide[4] = 1; // the period word's top byte
    expect(decodeSettlePeriodCall(wide)).toBeUndefined();
    const aggregate = encodeRecordAggregateCall({
      device: new Uint8Array(20),
      period: 1n,
      count: 1n,
      sum: 1n,
      min: 1n,
      max: 1n,
      stateHash: new Uint8Array(32),
    });
    expect(decodeSettlePeriodCall(aggregate)).toBeUndefined();
  });
});

describe("the recordAggregate call", () => {
  const aggregate = {
    device: new Uint8Array(20).fill(0xd1),
    period: 20_500n,
    count: 1440n,
    sum: -(2n ** 100n),
    min: -(2n ** 63n),
    max: 2n ** 63n - 1n,
    stateHash: new Uint8Array(32).fill(9),
  };

  it("decodes what encodeRecordAggregateCall wrote, negative and extreme values included", () => {
    expect(decodeRecordAggregateCall(encodeRecordAggregateCall(aggregate))).toEqual(aggregate);
  });

  it("is not another call, a truncated one, or one whose words are not their type's padding", () => {
    const call = encodeRecordAggregateCall(aggregate);
    expect(decodeRecordAggregateCall(call.subarray(0, call.length - 1))).toBeUndefined();
    expect(
      decodeRecordAggregateCall(
        encodeSettlePeriodCall({
          period: 1n,
          recordsRoot: new Uint8Array(32),
          recordCount: 1n,
          stateHash: new Uint8Array(32),
          devicesRoot: new Uint8Array(32),
          deviceCount: 1n,
        }),
      ),
    ).toBeUndefined();
    for (const [word, byte] of [
      [0, 0], // above the address
      [1, 0], // above the period's uint64
      [4, 0], // min's int64 padded with 0xff: a 0 there makes it no int64
    ] as const) {
      const bad = call.slice();
      bad[4 + 32 * word + byte] = bad[4 + 32 * word + byte]! ^ 0x01;
      expect(decodeRecordAggregateCall(bad), `word ${word}`).toBeUndefined();
    }
  });
});

describe("recordBatchCount", () => {
  it("reads the header's count of a record batch and nothing else", () => {
    const record = {
      device: new Uint8Array(20),
      seq: 1n,
      timestamp: 1n,
      bodyHash: new Uint8Array(32),
      signature: new Uint8Array(64),
      sealed: new Uint8Array(60),
    };
    const batch = encodeRecordBatch([record, { ...record, seq: 2n }, { ...record, seq: 3n }]);
    expect(recordBatchCount(batch)).toBe(3);
    expect(recordBatchCount(new Uint8Array([0x01, 0x01]))).toBe(0);
    expect(recordBatchCount(Uint8Array.of(0x7f, 0x01, 0x00, 0x03))).toBe(0);
  });
});
