// The pure parts of lcore replay's checks: the state-hash check of one input's notices (before
// the input for period_settled, after it for every other kind) and the state-hash inspect answer.

import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeNotice as encodeLcoreNotice } from "@lcore/protocol/notices";
import { encodeSettlementNotice } from "@lcore/protocol/settlement";
import { encodeNotice, encodeVoucher } from "@lcore/devnet";
import { checkNotices, lcoreReplayChecks, stateHashFromInspect } from "../src/replay/lcoreChecks.js";

const BEFORE = `0x${"11".repeat(32)}` as const;
const AFTER = `0x${"22".repeat(32)}` as const;
const device = new Uint8Array(20).fill(0xd);

const records = (stateHash: string, count: number) =>
  encodeNotice(
    toHex(
      encodeLcoreNotice({
        kind: "records_accepted",
        stateHash: fromHex(stateHash),
        records: Array.from({ length: count }, (_, i) => ({
          device,
          seq: BigInt(i),
          recordHash: new Uint8Array(32).fill(i),
        })),
      }),
    ),
  );
const settled = (stateHash: string) =>
  encodeNotice(
    toHex(
      encodeSettlementNotice({
        stateHash: fromHex(stateHash),
        period: 7n,
        recordsRoot: new Uint8Array(32).fill(3),
        recordCount: 2n,
        firstRecord: 0n,
        devicesRoot: new Uint8Array(32).fill(4),
        deviceCount: 1n,
        summaries: [],
      }),
    ),
  );
const voucher = encodeVoucher(`0x${"ab".repeat(20)}`, 0n, "0x1234");

describe("checkNotices", () => {
  it("accepts a settlement notice carrying the state before the input and a records notice carrying the state after", () => {
    const outputs = [voucher, settled(BEFORE), records(AFTER, 3)];
    expect(checkNotices(5, 10, outputs, { before: BEFORE, after: AFTER })).toEqual({
      stateHashesChecked: 2,
      records: 3,
      divergences: [],
    });
  });

  it("locates a wrong state hash at its input and global output index, expected vs got", () => {
    // A settlement notice with the state after its input is as wrong as a records notice with the state before it.
    const check = checkNotices(5, 10, [voucher, settled(AFTER), records(BEFORE, 1)], { before: BEFORE, after: AFTER });
    expect(check.divergences).toEqual([
      {
        inputIndex: 5,
        outputIndex: 11,
        what: "state hash in the period_settled notice vs the replayed state before the input",
        expected: BEFORE,
        got: AFTER,
      },
      {
        inputIndex: 5,
        outputIndex: 12,
        what: "state hash in the records_accepted notice vs the replayed state after the input",
        expected: AFTER,
        got: BEFORE,
      },
    ]);
  });

  it("without replayed states counts records only, and skips notices that are not lcore's", () => {
    const foreign = encodeNotice("0x0102");
    expect(checkNotices(0, 0, [foreign, records(AFTER, 4)])).toEqual({
      stateHashesChecked: 0,
      records: 4,
      divergences: [],
    });
    expect(checkNotices(0, 0, [foreign], { before: BEFORE, after: AFTER })).toEqual({
      stateHashesChecked: 0,
      records: 0,
      divergences: [],
    });
  });
});

describe("stateHashFromInspect", () => {
  const report = (body: unknown) => toHex(new TextEncoder().encode(JSON.stringify(body)));
  it("reads an lcore dApp's state-hash answer and nothing else", () => {
    expect(stateHashFromInspect({ status: "ACCEPTED", reports: [report({ stateHash: AFTER, records: "0" })] })).toBe(
      AFTER,
    );
    expect(stateHashFromInspect({ status: "REJECTED", reports: [report({ stateHash: AFTER })] })).toBeUndefined();
    expect(
      stateHashFromInspect({ status: "ACCEPTED", reports: [toHex(new TextEncoder().encode("state-hash"))] }),
    ).toBeUndefined();
    expect(stateHashFromInspect({ status: "ACCEPTED", reports: [report({ stateHash: "0x12" })] })).toBeUndefined();
  });
});

describe("lcoreReplayChecks", () => {
  const answer = (stateHash: string | undefined) => ({
    status: "ACCEPTED" as const,
    reports: [
      toHex(new TextEncoder().encode(JSON.stringify(stateHash === undefined ? { nothing: true } : { stateHash }))),
    ],
  });
  /** A dApp whose state-hash answers come from `states`, one per inspect. */
  const dapp = (role: "dapp" | "shadow", states: (string | undefined)[]) => ({
    role,
    inspect: async () => answer(states.shift()),
  });
  const input = (index: number, outputs: `0x${string}`[]) => ({
    index,
    firstOutput: 0,
    result: { status: "ACCEPTED" as const, outputs, reports: [] },
  });

  it("checks every notice against the state around its input and counts records, per dApp", async () => {
    const checks = lcoreReplayChecks();
    expect(checks.rateOf).toBe("records");
    const main = dapp("dapp", [BEFORE, AFTER]);
    const shadow = dapp("shadow", [BEFORE, BEFORE]);
    await checks.start!(main);
    await checks.start!(shadow);
    expect(await checks.onInput(main, input(0, [records(AFTER, 2)]))).toEqual({
      divergences: [],
      counts: { stateHashesChecked: 1, records: 2 },
    });
    const wrong = await checks.onInput(shadow, input(0, [records(AFTER, 2)]));
    expect(wrong.divergences?.map((d) => [d.inputIndex, d.expected, d.got])).toEqual([[0, BEFORE, AFTER]]);
  });

  it("leaves a foreign dApp unchecked, and finds one that stops answering mid-replay", async () => {
    const checks = lcoreReplayChecks();
    const foreign = dapp("dapp", [undefined]);
    await checks.start!(foreign);
    expect(await checks.onInput(foreign, input(0, [records(AFTER, 1)]))).toEqual({
      divergences: [],
      counts: { stateHashesChecked: 0, records: 1 },
    });
    const silent = dapp("shadow", [BEFORE, undefined]);
    await checks.start!(silent);
    expect((await checks.onInput(silent, input(3, []))).divergences).toEqual([
      {
        inputIndex: 3,
        what: "answer to the state-hash inspect after the input",
        expected: "a state hash",
        got: "(none)",
      },
    ]);
  });
});
