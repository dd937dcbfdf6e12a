// The incremental outputs tree against DESIGN §6's empty root and a naive full recomputation.

import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import {
  OutputsMerkleTree,
  OUTPUTS_TREE_HEIGHT,
  ZERO_HASHES,
  outputLeaf,
  rootFromSiblings,
} from "../src/merkleTree.js";
import { bytesToHex, hexToBytes, type Hex } from "../src/hex.js";

/** Root of the height-63 tree by brute force over the non-empty prefix. */
function naiveRoot(leaves: Uint8Array[]): Hex {
  let level = leaves;
  for (let k = 0; k < OUTPUTS_TREE_HEIGHT; k++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(level.length / 2)); i++) {
      const left = level[2 * i] ?? ZERO_HASHES[k]!;
      const right = level[2 * i + 1] ?? ZERO_HASHES[k]!;
      next.push(hexToBytes(keccak256(new Uint8Array([...left, ...right]))));
    }
    level = next;
  }
  return bytesToHex(level[0]!);
}

describe("OutputsMerkleTree", () => {
  it("has DESIGN §6's empty root", () => {
    expect(new OutputsMerkleTree().root()).toBe("0x0a162946e56158bac0673e6dd3bdfdc1e4a0e7744a120fdb640050c8d7abe1c6");
  });

  it("matches a full recomputation and proves every leaf after every append", () => {
    const tree = new OutputsMerkleTree();
    const leaves: Uint8Array[] = [];
    for (let n = 1; n <= 70; n++) {
      const leaf = outputLeaf(`0x${n.toString(16).padStart(4, "0")}`);
      expect(tree.append(leaf)).toBe(n - 1);
      leaves.push(leaf);
      const root = tree.root();
      expect(root, `root after ${n}`).toBe(naiveRoot(leaves));
      for (const i of new Set([0, n - 1, Math.floor(n / 2), Math.floor(n / 3)])) {
        const siblings = tree.siblings(i);
        expect(siblings).toHaveLength(63);
        expect(rootFromSiblings(leaves[i]!, i, siblings)).toBe(root);
      }
    }
    expect(tree.size).toBe(70);
  });

  it("rejects proofs for leaves it does not hold and leaves of the wrong size", () => {
    const tree = new OutputsMerkleTree();
    expect(() => tree.siblings(0)).toThrow(RangeError);
    tree.append(new Uint8Array(32));
    expect(() => tree.siblings(1)).toThrow(RangeError);
    expect(() => tree.append(new Uint8Array(31))).toThrow(RangeError);
  });
});
