// packedTreeRoot (one keccak256Each call per level, zero subtrees hashed once per level) is
// recordsTree's root, byte for byte, for every leaf count up to 300 and some large ones; the
// packed device summaries give deviceSummariesTree's root and the same summaries back.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "@lcore/protocol/bytes";
import { type DeviceSummary, deviceSummariesTree, deviceSummaryLeaf } from "@lcore/protocol/deviceSummaries";
import { packedDeviceSummariesRoot, unpackDeviceSummaries } from "@lcore/protocol/packedDeviceSummaries";
import { packedTreeRoot } from "@lcore/protocol/packedTreeRoot";
import { recordsRoot, recordsTree } from "@lcore/protocol/recordsTree";

function pack(leaves: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(leaves.length * size);
  for (const [i, l] of leaves.entries()) out.set(l, i * size);
  return out;
}

const randomLeaves = (n: number) => Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));

describe("packedTreeRoot", () => {
  it("is recordsTree's root for every leaf count 1..300 (and both refuse 0 leaves)", () => {
    const leaves = randomLeaves(300);
    expect(() => packedTreeRoot(new Uint8Array(0))).toThrow(RangeError);
    expect(() => recordsTree([])).toThrow(RangeError);
    for (let n = 1; n <= 300; n++) {
      const some = leaves.slice(0, n);
      expect(toHex(packedTreeRoot(pack(some, 32))), `${n} leaves`).toBe(toHex(recordsTree(some).root));
    }
  });

  it("is recordsRoot's for large counts around powers of two", () => {
    for (const n of [1023, 1024, 1025, 4097, 20_000 + Math.floor(Math.random() * 20_000)]) {
      const leaves = randomLeaves(n);
      expect(toHex(packedTreeRoot(pack(leaves, 32))), `${n} leaves`).toBe(toHex(recordsRoot(leaves)));
    }
  });

  it("counts zero leaves as leaves: zero-valued real leaves give the padded root", () => {
    const leaves = [new Uint8Array(32).fill(7), new Uint8Array(32), new Uint8Array(32)];
    expect(toHex(packedTreeRoot(pack(leaves, 32)))).toBe(toHex(recordsRoot(leaves)));
  });

  it("refuses a length that is not whole leaves", () => {
    expect(() => packedTreeRoot(new Uint8Array(33))).toThrow(RangeError);
  });
});

function sortedSummaries(n: number): DeviceSummary[] {
  const devices = new Map<string, Uint8Array>();
  while (devices.size < n) {
    const d = new Uint8Array(randomBytes(20));
    devices.set(toHex(d), d);
  }
  return [...devices.keys()].sort().map((k, i) => ({
    device: devices.get(k)!,
    count: BigInt(i + 1),
    firstSeq: 2n ** 40n + BigInt(i),
    lastSeq: 2n ** 63n - 1n - BigInt(i),
  }));
}

describe("packed device summaries", () => {
  it("give deviceSummariesTree's root and the summaries back", () => {
    for (const n of [1, 2, 3, 5, 64, 65, 1000]) {
      const summaries = sortedSummaries(n);
      const packed = pack(
        summaries.map((s) => {
          const p = new Uint8Array(44);
          p.set(s.device);
          new DataView(p.buffer).setBigUint64(20, s.count);
          new DataView(p.buffer).setBigUint64(28, s.firstSeq);
          new DataView(p.buffer).setBigUint64(36, s.lastSeq);
          return p;
        }),
        44,
      );
      expect(toHex(packedDeviceSummariesRoot(packed)), `${n} devices`).toBe(toHex(deviceSummariesTree(summaries).root));
      expect(unpackDeviceSummaries(packed)).toEqual(summaries);
      expect(toHex(recordsRoot(summaries.map(deviceSummaryLeaf)))).toBe(toHex(packedDeviceSummariesRoot(packed)));
    }
  });

  it("refuse summaries out of address order, a device twice, or a partial summary", () => {
    const [a, b] = sortedSummaries(2);
    const packedOf = (ss: DeviceSummary[]) =>
      pack(
        ss.map((s) => {
          const p = new Uint8Array(44);
          p.set(s.device);
          return p;
        }),
        44,
      );
    expect(() => packedDeviceSummariesRoot(packedOf([b!, a!]))).toThrow(/sorted/);
    expect(() => packedDeviceSummariesRoot(packedOf([a!, a!]))).toThrow(/sorted/);
    expect(() => unpackDeviceSummaries(packedOf([b!, a!]))).toThrow(/sorted/);
    expect(() => packedDeviceSummariesRoot(new Uint8Array(45))).toThrow(RangeError);
    expect(() => packedDeviceSummariesRoot(new Uint8Array(0))).toThrow(RangeError);
  });
});
