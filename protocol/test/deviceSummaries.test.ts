// Device summaries (PROTOCOL §9.1): the leaf is Solidity's keccak256(abi.encodePacked(device,
// count, firstSeq, lastSeq)), as LcoreSettlement.verifyDeviceSummary hashes it; summaries are
// per device, sorted by address; every proof verifies and no other count or range does.

import { describe, expect, it } from "vitest";
import { encodePacked, keccak256 } from "viem";
import { toHex } from "@lcore/protocol/bytes";
import {
  deviceSummariesTree,
  deviceSummaryLeaf,
  summarizeDevices,
  verifyDeviceSummaryProof,
} from "@lcore/protocol/deviceSummaries";

const dev = (b: number) => new Uint8Array(20).fill(b);

describe("device summaries", () => {
  it("hash a summary as abi.encodePacked(address, uint64, uint64, uint64)", () => {
    const s = { device: dev(0xa7), count: 1440n, firstSeq: 2n ** 40n, lastSeq: 2n ** 40n + 1500n };
    const solidity = keccak256(
      encodePacked(["address", "uint64", "uint64", "uint64"], [toHex(s.device), s.count, s.firstSeq, s.lastSeq]),
    );
    expect(toHex(deviceSummaryLeaf(s))).toBe(solidity);
  });

  it("summarize records per device by address, and prove each summary alone", () => {
    const records = [
      { device: dev(0xc0), seq: 9n },
      { device: dev(0x01), seq: 4n },
      { device: dev(0xc0), seq: 7n },
      { device: dev(0x01), seq: 5n },
      { device: dev(0x80), seq: 1n },
    ];
    const summaries = summarizeDevices(records);
    expect(summaries).toEqual([
      { device: dev(0x01), count: 2n, firstSeq: 4n, lastSeq: 5n },
      { device: dev(0x80), count: 1n, firstSeq: 1n, lastSeq: 1n },
      { device: dev(0xc0), count: 2n, firstSeq: 7n, lastSeq: 9n },
    ]);
    const tree = deviceSummariesTree(summaries);
    for (const [i, s] of summaries.entries()) {
      expect(verifyDeviceSummaryProof(tree.root, 3, s, i, tree.proof(i))).toBe(true);
      expect(verifyDeviceSummaryProof(tree.root, 3, { ...s, count: s.count + 1n }, i, tree.proof(i))).toBe(false);
      expect(verifyDeviceSummaryProof(tree.root, 3, { ...s, firstSeq: s.firstSeq - 1n }, i, tree.proof(i))).toBe(false);
    }
    expect(() => deviceSummariesTree([summaries[1]!, summaries[0]!])).toThrow("sorted");
  });
});
