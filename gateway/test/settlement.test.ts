// The pure parts of the gateway's settlement (PROTOCOL §9): numbering the chain's records
// and finding the periods in the app's outputs, a record's leaf, and when to tick; then
// the settlement follower writing a scan into a real outbox, one page at a time.

import { randomBytes } from "node:crypto";
import { encodeNotice } from "@lcore/protocol/notices";
import { recordsProof, recordsRoot, recordsTree, verifyRecordsProof } from "@lcore/protocol/recordsTree";
import { encodeSettlePeriodCall, encodeSettlementNotice, settlementAddress } from "@lcore/protocol/settlement";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "@lcore/protocol/bytes";
import { Outbox } from "../src/outbox/outbox.js";
import type { TickFacts } from "../src/outbox/settlementStore.js";
import type { NodeOutput, OutputReader } from "../src/chain/nodeReader.js";
import {
  SettlementFollower,
  SettlementScanError,
  leafIndex,
  scanOutputs,
} from "../src/settlement/settlementFollower.js";
import { loadConfig } from "../src/config.js";
import { tickDue } from "../src/settlement/ticker.js";
import type { GatewayContext } from "../src/context.js";
import { type Cleanup, runCleanups, tempDir } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const APP = new Uint8Array(randomBytes(20));
const SETTLEMENT = toHex(settlementAddress(APP));
const bytes = (n: number) => new Uint8Array(randomBytes(n));

function notice(index: number, payload: Uint8Array): NodeOutput {
  return {
    index,
    epochIndex: 0,
    raw: toHex(bytes(8)),
    decoded: { type: "Notice", payload: toHex(payload) },
    siblings: null,
    executionTxHash: null,
  };
}

function voucher(index: number, destination: `0x${string}`, payload: Uint8Array): NodeOutput {
  return {
    index,
    epochIndex: 0,
    raw: toHex(payload),
    decoded: { type: "Voucher", destination, value: 0n, payload: toHex(payload) },
    siblings: null,
    executionTxHash: null,
  };
}

function batch(index: number, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({
    device: bytes(20),
    seq: BigInt(i + 1),
    recordHash: bytes(32),
  }));
  return { records, output: notice(index, encodeNotice({ kind: "records_accepted", stateHash: bytes(32), records })) };
}

/** The outputs of one settling input: its voucher, then its 0x90 notice. */
function settlement(index: number, period: bigint, leaves: Uint8Array[], firstRecord: bigint) {
  const root = recordsRoot(leaves);
  const stateHash = bytes(32);
  const count = BigInt(leaves.length);
  return {
    root,
    outputs: [
      voucher(
        index,
        SETTLEMENT,
        encodeSettlePeriodCall({
          period,
          recordsRoot: root,
          recordCount: count,
          stateHash,
          devicesRoot: bytes(32),
          deviceCount: 1n,
        }),
      ),
      notice(
        index + 1,
        encodeSettlementNotice({
          stateHash,
          period,
          recordsRoot: root,
          recordCount: count,
          firstRecord,
          devicesRoot: bytes(32),
          deviceCount: 1n,
          summaries: [],
        }),
      ),
    ],
  };
}

describe("scanOutputs", () => {
  it("numbers records across notices in acceptance order and pairs each period's voucher and notice", () => {
    const a = batch(0, 2);
    const other = voucher(
      1,
      toHex(bytes(20)),
      encodeSettlePeriodCall({
        period: 9n,
        recordsRoot: bytes(32),
        recordCount: 1n,
        stateHash: bytes(32),
        devicesRoot: bytes(32),
        deviceCount: 1n,
      }),
    ); // not to LcoreSettlement
    const b = batch(2, 3);
    const s = settlement(
      3,
      7n,
      [...a.records, ...b.records].map((r) => r.recordHash),
      1n,
    );
    const scan = scanOutputs([a.output, other, b.output, ...s.outputs], { nextOutput: 0, nextRecord: 1n }, SETTLEMENT);
    expect(scan.records.map((r) => [r.recordId, r.noticeIndex])).toEqual([
      [1n, 0],
      [2n, 0],
      [3n, 2],
      [4n, 2],
      [5n, 2],
    ]);
    expect(scan.records.map((r) => toHex(r.recordHash))).toEqual(
      [...a.records, ...b.records].map((r) => toHex(r.recordHash)),
    );
    expect(scan.vouchers).toEqual([{ period: 7n, voucherIndex: 3, voucher: expect.any(Uint8Array) }]);
    expect(scan.notices).toEqual([
      expect.objectContaining({ period: 7n, recordCount: 5n, firstRecord: 1n, recordsRoot: s.root, noticeIndex: 4 }),
    ]);
    expect([scan.nextOutput, scan.nextRecord]).toEqual([5, 6n]);
  });

  it("continues from the cursor, and refuses a page that does not, or a period naming unlisted records", () => {
    const b = batch(10, 1);
    expect(scanOutputs([b.output], { nextOutput: 10, nextRecord: 41n }, SETTLEMENT).records[0]!.recordId).toBe(41n);
    expect(() => scanOutputs([b.output], { nextOutput: 9, nextRecord: 1n }, SETTLEMENT)).toThrow(SettlementScanError);
    const s = settlement(0, 3n, [bytes(32), bytes(32)], 1n);
    expect(() => scanOutputs(s.outputs, { nextOutput: 0, nextRecord: 2n }, SETTLEMENT)).toThrow(/only 1 were listed/);
  });
});

describe("leafIndex", () => {
  it("is the record's offset in its period, and a proof built there verifies against the period's root", () => {
    const leaves = Array.from({ length: 5 }, () => bytes(32));
    const root = recordsRoot(leaves);
    const i = leafIndex(13n, 10n, 5n);
    expect(i).toBe(3);
    expect(verifyRecordsProof(root, 5, leaves[i]!, i, recordsProof(leaves, i))).toBe(true);
    // The built tree the proof route keeps gives the same root and proofs.
    const tree = recordsTree(leaves);
    expect(tree.root).toEqual(root);
    for (let k = 0; k < 5; k++) expect(tree.proof(k)).toEqual(recordsProof(leaves, k));
    expect(() => leafIndex(9n, 10n, 5n)).toThrow(RangeError);
    expect(() => leafIndex(15n, 10n, 5n)).toThrow(RangeError);
  });
});

describe("settlement configuration", () => {
  it("refuses an executor key that is the submitter's account, without naming the key", () => {
    const env = {
      LCORE_GW_OWNER_KEY: "33".repeat(32),
      LCORE_GW_OWNER_TOKEN: "t".repeat(20),
      LCORE_GW_SUBMITTER_KEY: "11".repeat(32),
      LCORE_GW_APP: `0x${"22".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
      LCORE_GW_TICK_MS: "5000",
    };
    expect(loadConfig({ ...env, LCORE_GW_EXECUTOR_KEY: "44".repeat(32) }).options.settlement).toMatchObject({
      tickMs: 5000,
    });
    expect(() => loadConfig({ ...env, LCORE_GW_EXECUTOR_KEY: `0x${"11".repeat(32)}` })).toThrow(
      /LCORE_GW_EXECUTOR_KEY must be another account/,
    );
    expect(() => loadConfig({ ...env, LCORE_GW_EXECUTOR_KEY: `0x${"11".repeat(32)}` })).not.toThrow(/1111/);
  });
});

describe("tickDue", () => {
  const facts = (f: Partial<TickFacts> = {}): TickFacts => ({
    lastRecords: { inputIndex: 4, blockNumber: 40 },
    lastRecordsSettled: false,
    lastTick: null,
    settledThrough: null,
    ...f,
  });

  const due = (f: Partial<TickFacts>, recordsPeriod: bigint | null, tickPeriod: bigint | null, latestPeriod: bigint) =>
    tickDue({ facts: facts(f), recordsPeriod, tickPeriod, latestPeriod });

  it("ticks once the chain is in a later period than the last accepted batch", () => {
    expect(due({}, 100n, null, 101n)).toBe(true);
    expect(due({}, 100n, null, 100n)).toBe(false);
    // An earlier tick (before that batch) does not count for this period.
    expect(due({ lastTick: { inputIndex: 2, blockNumber: 20, nodeStatus: "REJECTED" } }, 100n, 99n, 105n)).toBe(true);
  });

  it("ticks again when the batch overtook the last tick near the hour: that tick was mined in the batch's own period", () => {
    // Batch 4 and tick 5 both mined in period 100: the tick settled 99 (or nothing), not 100.
    expect(due({ lastTick: { inputIndex: 5, blockNumber: 41, nodeStatus: "REJECTED" } }, 100n, 100n, 101n)).toBe(true);
    expect(due({ lastTick: { inputIndex: 5, blockNumber: 41, nodeStatus: "ACCEPTED" } }, 100n, 100n, 101n)).toBe(true);
  });

  it("does not tick with nothing open, with a tick pending, after a tick for this period, or once the period is settled", () => {
    expect(due({ lastRecords: null }, null, null, 101n)).toBe(false);
    expect(due({ lastTick: { inputIndex: null, blockNumber: null, nodeStatus: null } }, 100n, null, 101n)).toBe(false);
    expect(due({ lastTick: { inputIndex: 5, blockNumber: 50, nodeStatus: null } }, 100n, 101n, 101n)).toBe(false);
    expect(due({ lastTick: { inputIndex: 5, blockNumber: 50, nodeStatus: "REJECTED" } }, 100n, 101n, 102n)).toBe(false);
    expect(due({ settledThrough: 100n, lastRecordsSettled: true }, 100n, null, 101n)).toBe(false);
    expect(due({ settledThrough: 99n }, 100n, null, 101n)).toBe(true);
  });

  it("after the chain's clock went back, ticks for the period the dApp put the records in: max(block's period, settledThrough + 1)", () => {
    // Settled through 120; the clock went back to period 100 and the last batch's records, unsettled, joined period 121.
    expect(due({ settledThrough: 120n }, 100n, null, 101n)).toBe(false);
    expect(due({ settledThrough: 120n }, 100n, null, 121n)).toBe(false);
    expect(due({ settledThrough: 120n }, 100n, null, 122n)).toBe(true);
    // A tick mined after the batch in period 122 closed 121: no second one.
    const tick = { inputIndex: 5, blockNumber: 50, nodeStatus: "ACCEPTED" };
    expect(due({ settledThrough: 120n, lastTick: tick }, 100n, 122n, 123n)).toBe(false);
    // A tick mined in period 121 (the clock still behind) did not: one more once the chain is past 121.
    expect(due({ settledThrough: 120n, lastTick: tick }, 100n, 121n, 122n)).toBe(true);
    // Once the follower sees the records settled, nothing more.
    expect(due({ settledThrough: 121n, lastRecordsSettled: true }, 100n, null, 130n)).toBe(false);
  });
});

describe("SettlementFollower", () => {
  it("writes records and periods page by page into the outbox, and places a record in its period", async () => {
    const outbox = new Outbox({
      path: `${tempDir(cleanups)}/outbox.db`,
      groupCommitDelayMs: 0,
      groupCommitReadings: 100,
    });
    cleanups.push(() => outbox.close());
    const a = batch(0, 3);
    const s = settlement(
      1,
      12n,
      a.records.map((r) => r.recordHash),
      1n,
    );
    const b = batch(3, 1);
    const all = [a.output, ...s.outputs, b.output];
    const reader: OutputReader = {
      outputs: async (offset, limit) => all.slice(offset, offset + Math.min(limit, 2)), // pages of 2
      output: async () => null,
      epochStatus: async () => null,
    };
    const follower = new SettlementFollower({ outbox, appBytes: APP } as unknown as GatewayContext, reader);
    const passes: number[] = [];
    for (let n = await follower.step(); n > 0; n = await follower.step()) passes.push(n);
    expect(passes).toEqual([2, 2]);
    expect(outbox.settlements.cursor()).toEqual({ nextOutput: 4, nextRecord: 5n });

    const period = outbox.settlements.period(12n)!;
    expect(period).toMatchObject({
      recordCount: 3n,
      firstRecord: 1n,
      recordsRoot: s.root,
      voucherIndex: 1,
      noticeIndex: 2,
      executedMs: null,
    });
    expect(outbox.settlements.unexecuted(10).map((p) => p.period)).toEqual([12n]);
    expect(outbox.settlements.leaves(1n, 3n)).toEqual(a.records.map((r) => r.recordHash));

    const second = a.records[1]!;
    expect(outbox.settlements.place(second.device, second.seq)).toMatchObject({
      recordId: 2n,
      recordHash: second.recordHash,
      period: { period: 12n },
    });
    // The record of the next, still open period has no period yet.
    expect(outbox.settlements.place(b.records[0]!.device, 1n)).toMatchObject({ recordId: 4n, period: null });

    await outbox.write([outbox.settlements.executedStatement(12n, bytes(32), 1)]);
    expect(outbox.settlements.unexecuted(10)).toEqual([]);
    expect(outbox.settlements.tickFacts().settledThrough).toBe(12n);
  });
});
