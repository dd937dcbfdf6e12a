// The pure parts of lcore replay: the state-hash check of one input's notices (before the
// input for period_settled, after it for every other kind) and the progress line.

import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeNotice as encodeLcoreNotice } from "@lcore/protocol/notices";
import { encodeSettlementNotice } from "@lcore/protocol/settlement";
import { encodeNotice, encodeVoucher } from "../src/outputs.js";
import { Progress, formatDuration, formatProgress } from "../src/replay/progress.js";
import { checkNotices, stateHashFromInspect } from "../src/replay/stateHashes.js";

const BEFORE = `0x${"11".repeat(32)}` as const;
const AFTER = `0x${"22".repeat(32)}` as const;
const device = new Uint8Array(20).fill(0xd);

const records = (stateHash: string, count: number) => encodeNotice(toHex(encodeLcoreNotice({
  kind: "records_accepted", stateHash: fromHex(stateHash),
  records: Array.from({ length: count }, (_, i) => ({ device, seq: BigInt(i), recordHash: new Uint8Array(32).fill(i) })),
})));
const settled = (stateHash: string) => encodeNotice(toHex(encodeSettlementNotice({
  stateHash: fromHex(stateHash), period: 7n, recordsRoot: new Uint8Array(32).fill(3), recordCount: 2n, firstRecord: 0n,
})));
const voucher = encodeVoucher(`0x${"ab".repeat(20)}`, 0n, "0x1234");

describe("checkNotices", () => {
  it("accepts a settlement notice carrying the state before the input and a records notice carrying the state after", () => {
    const outputs = [voucher, settled(BEFORE), records(AFTER, 3)];
    expect(checkNotices(5, 10, outputs, { before: BEFORE, after: AFTER })).toEqual({ stateHashesChecked: 2, records: 3, divergences: [] });
  });

  it("locates a wrong state hash at its input and global output index, expected vs got", () => {
    // A settlement notice with the state after its input is as wrong as a records notice with the state before it.
    const check = checkNotices(5, 10, [voucher, settled(AFTER), records(BEFORE, 1)], { before: BEFORE, after: AFTER });
    expect(check.divergences).toEqual([
      { inputIndex: 5, outputIndex: 11, what: "state hash in the period_settled notice vs the replayed state before the input", expected: BEFORE, got: AFTER },
      { inputIndex: 5, outputIndex: 12, what: "state hash in the records_accepted notice vs the replayed state after the input", expected: AFTER, got: BEFORE },
    ]);
  });

  it("without replayed states counts records only, and skips notices that are not lcore's", () => {
    const foreign = encodeNotice("0x0102");
    expect(checkNotices(0, 0, [foreign, records(AFTER, 4)])).toEqual({ stateHashesChecked: 0, records: 4, divergences: [] });
    expect(checkNotices(0, 0, [foreign], { before: BEFORE, after: AFTER })).toEqual({ stateHashesChecked: 0, records: 0, divergences: [] });
  });
});

describe("stateHashFromInspect", () => {
  const report = (body: unknown) => toHex(new TextEncoder().encode(JSON.stringify(body)));
  it("reads an lcore dApp's state-hash answer and nothing else", () => {
    expect(stateHashFromInspect({ status: "ACCEPTED", reports: [report({ stateHash: AFTER, records: "0" })] })).toBe(AFTER);
    expect(stateHashFromInspect({ status: "REJECTED", reports: [report({ stateHash: AFTER })] })).toBeUndefined();
    expect(stateHashFromInspect({ status: "ACCEPTED", reports: [toHex(new TextEncoder().encode("state-hash"))] })).toBeUndefined();
    expect(stateHashFromInspect({ status: "ACCEPTED", reports: [report({ stateHash: "0x12" })] })).toBeUndefined();
  });
});

describe("replay progress", () => {
  it("formats inputs done/total, records/s and the time left", () => {
    expect(formatProgress({ done: 10, total: 40, records: 700, seconds: 2 }))
      .toBe(`replay [########${".".repeat(22)}] 10/40 inputs, 350.0 records/s, ETA 6s`);
    expect(formatProgress({ done: 40, total: 40, records: 700, seconds: 4 })).toBe(`replay [${"#".repeat(30)}] 40/40 inputs, 175.0 records/s, done`);
    expect(formatProgress({ done: 0, total: 40, records: 0, seconds: 0 })).toBe(`replay [${".".repeat(30)}] 0/40 inputs, 0.0 records/s, ETA ?`);
    expect([formatDuration(59.4), formatDuration(187), formatDuration(7500), formatDuration(Number.NaN)]).toEqual(["59s", "3m07s", "2h05m", "?"]);
  });

  it("off a terminal prints a line per tenth of the inputs; on one redraws a single line in place", () => {
    const lines: string[] = [];
    const plain = new Progress(100, (t) => lines.push(t));
    for (let done = 1; done <= 100; done++) plain.tick(done, done * 2);
    expect(lines).toHaveLength(11); // the first input, then each tenth
    expect(lines.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^replay \[#{30}\] 100\/100 inputs, .* records\/s, done\n$/);

    const drawn: string[] = [];
    const tty = new Progress(3, (t) => drawn.push(t), true);
    tty.tick(1, 5);
    tty.tick(3, 15);
    expect(drawn[0]).toMatch(/^\rreplay \[#{10}\.{20}\] 1\/3 inputs, /);
    expect(drawn.at(-1)).toMatch(/^\rreplay \[#{30}\] 3\/3 inputs, .* done\n$/);
    expect(drawn.slice(0, -1).every((d) => !d.includes("\n"))).toBe(true);

    // A replay that stops early (a divergence) ends the open bar's line.
    const stopped: string[] = [];
    const early = new Progress(3, (t) => stopped.push(t), true);
    early.tick(1, 5);
    early.end();
    early.end();
    expect(stopped).toEqual([expect.stringMatching(/^\rreplay .* 1\/3 inputs, /), "\n"]);
  });
});
