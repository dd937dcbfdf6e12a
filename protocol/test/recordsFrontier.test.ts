import { describe, expect, it } from "vitest";
import { toHex } from "../src/bytes.js";
import { appendToFrontier, emptyFrontier, frontierRoot } from "../src/recordsFrontier.js";
import { recordsRoot } from "../src/recordsTree.js";
import { sha } from "./fixtures.js";

describe("records frontier", () => {
  it("gives recordsRoot of the leaves appended, for every count up to 300 and around powers of two", () => {
    const leaves = Array.from({ length: 1025 }, (_, i) => sha(`leaf ${i}`));
    const checked = new Set([...Array.from({ length: 300 }, (_, i) => i + 1), 511, 512, 513, 1023, 1024, 1025]);
    const frontier = emptyFrontier();
    let compared = 0;
    leaves.forEach((leaf, i) => {
      appendToFrontier(frontier, i, leaf);
      if (!checked.has(i + 1)) return;
      expect(toHex(frontierRoot(frontier, i + 1)), `count ${i + 1}`).toBe(toHex(recordsRoot(leaves.slice(0, i + 1))));
      compared++;
    });
    expect(compared).toBe(checked.size);
  });

  it("depends on every leaf and on their order", () => {
    const leaves = Array.from({ length: 7 }, (_, i) => sha(`x ${i}`));
    const rootOf = (ls: Uint8Array[]) => {
      const f = emptyFrontier();
      for (const [i, l] of ls.entries()) appendToFrontier(f, i, l);
      return toHex(frontierRoot(f, ls.length));
    };
    const base = rootOf(leaves);
    expect(rootOf([leaves[1]!, leaves[0]!, ...leaves.slice(2)])).not.toBe(base);
    expect(rootOf([...leaves.slice(0, 6), sha("other")])).not.toBe(base);
  });

  it("refuses a count of zero, a leaf of the wrong length and a frontier of the wrong size", () => {
    expect(() => frontierRoot(emptyFrontier(), 0)).toThrow(RangeError);
    expect(() => appendToFrontier(emptyFrontier(), 0, new Uint8Array(31))).toThrow(RangeError);
    expect(() => appendToFrontier(new Uint8Array(32), 0, new Uint8Array(32))).toThrow(RangeError);
  });
});
