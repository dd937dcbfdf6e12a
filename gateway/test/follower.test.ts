// The follower's reading of the dApp's outputs: which record was accepted in which
// notice, and why the others were not; a second copy of an input (skipped seq_not_increasing)
// that fails no reading the dApp accepted before; a node input that is not the gateway's.

import { randomBytes } from "node:crypto";
import { encodeNotice } from "@lcore/protocol/notices";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { afterEach, describe, expect, it } from "vitest";
import type { PackedReading } from "../src/outbox/readingStore.js";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { Follower, verdicts } from "../src/chain/follower.js";
import type { NodeInput, NodeOutput } from "../src/chain/nodeReader.js";
import { SettlementFollower } from "../src/settlement/settlementFollower.js";
import { type TestGateway, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as const;
const json = (o: object) => hex(Buffer.from(JSON.stringify(o)));

function row(position: number, seq: bigint, device = new Uint8Array(randomBytes(20))): PackedReading {
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
    position,
  };
}

const entry = (r: PackedReading, hash?: Uint8Array) => ({
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

describe("a second copy of an input", () => {
  const skippedAll = (rows: PackedReading[], input: string): NodeInput => ({
    status: "REJECTED",
    notices: [],
    reports: [
      {
        payload: json({
          type: "skipped",
          input,
          records: rows.map((r) => ({
            index: r.position,
            device: hex(r.device),
            seq: String(r.seq),
            reason: "seq_not_increasing",
          })),
        }),
      },
      { payload: json({ type: "rejected", input, reason: "no_record_accepted", detail: "" }) },
    ],
  });

  it("a record skipped seq_not_increasing whose exact bytes the dApp accepted earlier is accepted, with that notice", () => {
    const rows = [row(0, 5n), row(1, 6n)];
    const earlier = (device: Uint8Array, seq: bigint, hash: Uint8Array) =>
      seq === 5n &&
      Buffer.from(hash).equals(Buffer.from(recordHash(encodeRecord(rows[0]!)))) &&
      device === rows[0]!.device
        ? 4
        : null;
    const list = verdicts(rows, skippedAll(rows, "9"), earlier);
    expect([...list]).toEqual([
      { position: 0, outcome: "accepted", reason: null, noticeIndex: 4 },
      { position: 1, outcome: "rejected", reason: "seq_not_increasing", noticeIndex: null },
    ]);
    expect(list.pending).toBe(1); // the second is not known accepted (yet)
  });

  /** A gateway with one device, two readings packed into input 2 (registration: 0, 1), mined at index 2. */
  async function mined(): Promise<{ gw: TestGateway; rows: PackedReading[] }> {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    await gw.device();
    for (let i = 0; i < 2; i++)
      expect((await gw.app.inject({ method: "POST", url: "/v1/readings", payload: d.reading() })).statusCode).toBe(202);
    const { outbox } = gw.app.gateway;
    await new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 0 })).tick(Date.now());
    for (const [index, input] of outbox.inputs.unincluded(10).entries())
      await outbox.inputs.include(input.id, {
        txHash: new Uint8Array(32).fill(index + 1),
        blockNumber: 10 + index,
        inputIndex: index,
        gasUsed: 1,
        includedMs: 0,
      });
    const batch = outbox.inputs.byInputIndex(2)!;
    return { gw, rows: outbox.readings.ofInput(batch.id) };
  }

  it("the follower takes the earlier acceptance from the settlement follower's records, and waits for it a while", async () => {
    const { gw, rows } = await mined();
    const { outbox } = gw.app.gateway;
    const accepted: NodeInput = { status: "ACCEPTED", notices: [], reports: [] };
    const answer = (i: number) => (i < 2 ? accepted : skippedAll(rows, "2"));
    const earlier = (d: Uint8Array, q: bigint, h: Uint8Array) => outbox.settlements.acceptedNotice(d, q, h);
    const waiting = new Follower(
      gw.app.gateway,
      { input: async (i) => answer(i) },
      { earlier, duplicateWaitMs: 60_000 },
    );
    // The settlement follower has not listed the earlier copy yet: the batch's verdict waits.
    expect(await waiting.step()).toBe(2);
    expect(outbox.inputs.byInputIndex(2)!.nodeStatus).toBeNull();
    // It lists it (the earlier copy's notice is output 0): both readings are accepted, in that notice.
    const payload = notice(rows.map((r) => entry(r)));
    const out: NodeOutput = {
      index: 0,
      epochIndex: 0,
      raw: payload,
      decoded: { type: "Notice", payload },
      siblings: null,
      executionTxHash: null,
    };
    await new SettlementFollower(gw.app.gateway, {
      outputs: async (o) => [out].slice(o),
      output: async () => null,
      epochStatus: async () => null,
    }).step();
    expect(await waiting.step()).toBe(1);
    for (const r of rows) {
      const s = (await gw.app.inject({ method: "GET", url: `/v1/readings/${hex(r.device)}/${r.seq}` })).json();
      expect(s).toMatchObject({ status: "accepted", noticeIndex: 0 });
    }
  });

  it("without an earlier acceptance, after the wait, the dApp's reason stands", async () => {
    const { gw, rows } = await mined();
    const accepted: NodeInput = { status: "ACCEPTED", notices: [], reports: [] };
    const follower = new Follower(
      gw.app.gateway,
      { input: async (i) => (i < 2 ? accepted : skippedAll(rows, "2")) },
      { earlier: () => null, duplicateWaitMs: 0 },
    );
    expect(await follower.step()).toBe(3);
    const s = (
      await gw.app.inject({ method: "GET", url: `/v1/readings/${hex(rows[0]!.device)}/${rows[0]!.seq}` })
    ).json();
    expect(s).toMatchObject({ status: "rejected", reason: "seq_not_increasing" });
  });

  it("a node input that is not the gateway's (another payload at that index) gets no verdict; the watch is asked to re-check", async () => {
    const { gw } = await mined();
    const suspects: number[] = [];
    const other: NodeInput = {
      status: "ACCEPTED",
      notices: [],
      reports: [],
      payload: "0x0401",
      sender: gw.app.gateway.owner,
    };
    const follower = new Follower(gw.app.gateway, { input: async () => other }, { foreign: (id) => suspects.push(id) });
    expect(await follower.step()).toBe(0);
    expect(suspects).toHaveLength(3);
    expect(gw.app.gateway.outbox.inputs.unprocessed(10)).toHaveLength(3);
  });

  it("asks for no input the node has not processed yet: one count call, then only the processed ones", async () => {
    const { gw } = await mined();
    const accepted: NodeInput = { status: "ACCEPTED", notices: [], reports: [] };
    const asked: number[] = [];
    let processed = 0;
    const follower = new Follower(gw.app.gateway, {
      input: async (i) => {
        asked.push(i);
        return i < processed ? accepted : { status: "NONE", notices: [], reports: [] };
      },
      processedInputCount: async () => processed,
    });
    expect(await follower.step()).toBe(0);
    expect(asked).toEqual([]);
    processed = 2;
    expect(await follower.step()).toBe(2);
    expect(asked).toEqual([0, 1]);
    expect(gw.app.gateway.outbox.inputs.unprocessed(10).map((i) => i.inputIndex)).toEqual([2]);
  });
});
