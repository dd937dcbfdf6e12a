// The table tree (PROTOCOL §5, §8.5): its root over leaves in the first 2^k slots is the
// records tree's root over them (recordsTree.ts, the same parent rule) lifted through
// 32 − k levels of empty right siblings; empty slots hash as 32 zero bytes, wherever they are.
import { describe, expect, it } from "vitest";
import { keccak256 } from "@lcore/wasm-core";
import { toHex } from "../src/bytes.js";
import { recordsRoot } from "../src/recordsTree.js";
import { TABLE_TREE_DEPTH, tableTreeParent, tableTreeRoot, zeroNode } from "../src/tableTree.js";
import { sha } from "./fixtures.js";

const lift = (root: Uint8Array, from: number) => {
  let h = root;
  for (let k = from; k < TABLE_TREE_DEPTH; k++) h = tableTreeParent(h, zeroNode(k));
  return h;
};

describe("table tree", () => {
  it("has keccak256(z || z) empty subtrees, and the empty tree's root at the top", () => {
    expect(toHex(zeroNode(0))).toBe(toHex(new Uint8Array(32)));
    const z = new Uint8Array(64);
    expect(toHex(zeroNode(1))).toBe(toHex(keccak256(z)));
    expect(toHex(tableTreeRoot([]))).toBe(toHex(zeroNode(TABLE_TREE_DEPTH)));
    expect(() => zeroNode(TABLE_TREE_DEPTH + 1)).toThrow(RangeError);
  });

  it("over the first n slots is recordsRoot lifted to depth 32, for n up to 70 and at 256", () => {
    const leaves = Array.from({ length: 256 }, (_, i) => sha(`slot ${i}`));
    for (const n of [...Array.from({ length: 70 }, (_, i) => i + 1), 256]) {
      const some = leaves.slice(0, n);
      let k = 0;
      while (2 ** k < n) k++;
      expect(toHex(tableTreeRoot(some.map((l, i) => [i, l] as const))), `n ${n}`).toBe(
        toHex(lift(recordsRoot(some), k)),
      );
    }
  });

  it("treats an absent slot and an explicit empty leaf alike, and places a leaf by its slot", () => {
    const a = sha("a");
    const b = sha("b");
    expect(
      toHex(
        tableTreeRoot([
          [0, a],
          [3, b],
        ]),
      ),
    ).toBe(
      toHex(
        tableTreeRoot([
          [0, a],
          [1, new Uint8Array(32)],
          [3, b],
        ]),
      ),
    );
    expect(
      toHex(
        tableTreeRoot([
          [0, a],
          [3, b],
        ]),
      ),
    ).toBe(toHex(lift(recordsRoot([a, new Uint8Array(32), new Uint8Array(32), b]), 2)));
    expect(toHex(tableTreeRoot([[1, a]]))).not.toBe(toHex(tableTreeRoot([[0, a]])));
    // The last slot: its path is all right children.
    let h: Uint8Array = a;
    for (let k = 0; k < TABLE_TREE_DEPTH; k++) h = tableTreeParent(zeroNode(k), h);
    expect(toHex(tableTreeRoot([[2 ** 32 - 1, a]]))).toBe(toHex(h));
    expect(() => tableTreeRoot([[2 ** 32, a]])).toThrow(RangeError);
    expect(() =>
      tableTreeRoot([
        [0, a],
        [0, b],
      ]),
    ).toThrow(RangeError);
  });
});
