import { randomBytes } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createKeccak256, keccak256 } from "@lcore/wasm-core";
import { bytesUpTo, hex, utf8 } from "./hex.js";

describe("keccak256", () => {
  // Keccak team / Ethereum reference values (original padding, not SHA3-256).
  it.each([
    ["", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"],
    ["abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"],
    ["The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"],
    ["transfer(address,uint256)", "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"],
  ])("reference vector %#", (msg, digest) => {
    expect(hex(keccak256(utf8(msg)))).toBe(digest);
  });

  it("pads at the rate boundary (135, 136, 137 bytes)", () => {
    for (const n of [135, 136, 137, 271, 272, 273]) {
      const data = randomBytes(n);
      expect(hex(keccak256(data))).toBe(hex(keccak_256(data)));
    }
  });

  it("matches @noble/hashes keccak_256 on random inputs up to 64 KiB", () => {
    let longest = 0;
    fc.assert(
      fc.property(bytesUpTo(65536), (data) => {
        longest = Math.max(longest, data.length);
        expect(hex(keccak256(data))).toBe(hex(keccak_256(data)));
      }),
      { numRuns: 200 },
    );
    // The generator must really reach the multi-block, multi-chunk sizes.
    expect(longest).toBeGreaterThan(16384);
  });

  it("incremental hashing equals one-shot for any split", () => {
    fc.assert(
      fc.property(bytesUpTo(2048), fc.array(fc.nat(), { maxLength: 8 }), (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const h = createKeccak256();
        let prev = 0;
        for (const p of [...points, data.length]) {
          h.update(data.subarray(prev, p));
          keccak256(utf8("interleaved"));
          prev = p;
        }
        expect(hex(h.digest())).toBe(hex(keccak_256(data)));
      }),
      { numRuns: 200 },
    );
  });

  it("hashes 1 MiB identically to @noble/hashes", () => {
    const data = randomBytes((1 << 20) + 3);
    expect(hex(keccak256(data))).toBe(hex(keccak_256(data)));
  });
});
