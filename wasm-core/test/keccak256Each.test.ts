import { randomBytes } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { InvalidLengthError, keccak256Each } from "@lcore/wasm-core";
import { hex } from "./hex.js";

// Every digest against @noble/hashes, one input at a time.
function reference(inputs: Uint8Array, length: number): string {
  let out = "";
  for (let off = 0; off < inputs.length; off += length) out += hex(keccak_256(inputs.subarray(off, off + length)));
  return out;
}

describe("keccak256Each", () => {
  it.each([1, 31, 32, 44, 64, 135, 136, 137, 300])("hashes each %i-byte input as keccak256 does", (length) => {
    for (const n of [0, 1, 2, 7]) {
      const inputs = randomBytes(length * n);
      const digests = keccak256Each(inputs, length);
      expect(digests.length).toBe(32 * n);
      expect(hex(digests)).toBe(reference(inputs, length));
    }
  });

  it("hashes a whole tree level (thousands of 64-byte pairs) in one call", () => {
    const inputs = randomBytes(64 * 5000);
    expect(hex(keccak256Each(inputs, 64))).toBe(reference(inputs, 64));
  });

  it("leaves its input untouched and returns a fresh array each call", () => {
    const inputs = randomBytes(64 * 3);
    const copy = inputs.slice();
    const a = keccak256Each(inputs, 64);
    const b = keccak256Each(inputs, 64);
    expect(inputs).toEqual(copy);
    expect(a).toEqual(b);
    a.fill(0);
    expect(b).not.toEqual(a);
  });

  it("rejects inputs that are not a whole number of inputs", () => {
    expect(() => keccak256Each(new Uint8Array(65), 64)).toThrow(InvalidLengthError);
    expect(() => keccak256Each(new Uint8Array(64), 0)).toThrow(/positive integer/);
  });
});
