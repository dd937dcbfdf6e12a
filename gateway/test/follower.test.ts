// The follower's reading of the dApp's outputs: which record was accepted in which
// notice, and why the others were not.

import { randomBytes } from "node:crypto";
import { encodeNotice } from "@lcore/protocol/notices";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { describe, expect, it } from "vitest";
import type { ReadingRow } from "../src/outbox/readingStore.js";
import { verdicts } from "../src/chain/follower.js";
import type { NodeInput } from "../src/chain/nodeReader.js";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as const;
const json = (o: object) => hex(Buffer.from(JSON.stringify(o)));

function row(position: number, seq: bigint, device = new Uint8Array(randomBytes(20))): ReadingRow {
  return {
    id: position + 1,
    device,
    seq,
    timestamp: 1_700_000_000n,
    bodyHash: new Uint8Array(randomBytes(32)),
    digest: new Uint8Array(32),
    signature: new Uint8Array(randomBytes(64)),
    sealed: new Uint8Array(randomBytes(60)),
    receivedMs: 0,
    inputId: 1,
    position,
    outcome: null,
    reason: null,
    noticeIndex: null,
    nonce: 0,
    txHash: null,
    inputIndex: 7,
    blockNumber: 1,
    nodeStatus: null,
    sentTxHash: null,
  };
}

const entry = (r: ReadingRow, hash?: Uint8Array) => ({
  device: r.device,
  seq: r.seq,
  recordHash: hash ?? recordHash(encodeRecord(r)),
});
const notice = (entries: ReturnType<typeof entry>[]) =>
  hex(encodeNotice({ kind: "records_accepted", stateHash: new Uint8Array(32), records: entries }));

describe("follower verdicts", () => {
  it("accepted records are the notice's entries with our exact record hash; skips carry the dApp's reason", () => {
    const rows = [row(0, 1n), row(1, 1n), row(2, 2n)];
    const node: NodeInput = {
      status: "ACCEPTED",
      notices: [{ index: 12, payload: notice([entry(rows[0]!), entry(rows[2]!)]) }],
      reports: [
        {
          payload: json({
            type: "skipped",
            input: "7",
            records: [{ index: 1, device: hex(rows[1]!.device), seq: "1", reason: "bad_signature" }],
          }),
        },
      ],
    };
    expect(verdicts(rows, node)).toEqual([
      { position: 0, outcome: "accepted", reason: null, noticeIndex: 12 },
      { position: 1, outcome: "rejected", reason: "bad_signature", noticeIndex: null },
      { position: 2, outcome: "accepted", reason: null, noticeIndex: 12 },
    ]);
  });

  it("a listed record whose hash is not ours is not accepted", () => {
    const rows = [row(0, 1n)];
    const node: NodeInput = {
      status: "ACCEPTED",
      notices: [{ index: 3, payload: notice([entry(rows[0]!, new Uint8Array(32))]) }],
      reports: [],
    };
    expect(verdicts(rows, node)[0]).toMatchObject({ outcome: "rejected", reason: "record_hash_mismatch" });
  });

  it("a rejected input: each record's skip reason, else the input's reason; an exception without reports", () => {
    const rows = [row(0, 5n), row(1, 6n)];
    const rejected: NodeInput = {
      status: "REJECTED",
      notices: [],
      reports: [
        {
          payload: json({
            type: "skipped",
            input: "7",
            records: [{ index: 0, device: hex(rows[0]!.device), seq: "5", reason: "seq_not_increasing" }],
          }),
        },
        { payload: json({ type: "rejected", input: "7", reason: "no_record_accepted", detail: "" }) },
        { payload: hex(Buffer.from("not json")) },
      ],
    };
    expect(verdicts(rows, rejected).map((v) => v.reason)).toEqual(["seq_not_increasing", "no_record_accepted"]);
    expect(verdicts(rows, { status: "EXCEPTION", notices: [], reports: [] }).map((v) => [v.outcome, v.reason])).toEqual(
      [
        ["rejected", "exception"],
        ["rejected", "exception"],
      ],
    );
  });
});
