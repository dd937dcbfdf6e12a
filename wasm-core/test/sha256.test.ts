import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSha256, sha256 } from "@lcore/wasm-core";
import { bytesUpTo, hex, utf8 } from "./hex.js";

describe("sha256", () => {
  // FIPS 180-4 examples (NIST CSRC "Examples with intermediate values") and the million-'a' vector.
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    [
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ],
  ])("FIPS 180-4 vector %#", (msg, digest) => {
    expect(hex(sha256(utf8(msg)))).toBe(digest);
  });

  it("hashes one million 'a' (spans several I/O chunks)", () => {
    expect(hex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });

  it("matches node:crypto on random inputs up to 64 KiB", () => {
    let longest = 0;
    fc.assert(
      fc.property(bytesUpTo(65536), (data) => {
        longest = Math.max(longest, data.length);
        expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
      }),
      { numRuns: 200 },
    );
    // The generator must really reach the multi-block, multi-chunk sizes.
    expect(longest).toBeGreaterThan(16384);
  });

  it("incremental hashing equals one-shot for any split, with hashers interleaved", () => {
    fc.assert(
      fc.property(bytesUpTo(4096), fc.array(fc.nat(), { maxLength: 8 }), (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const a = createSha256();
        const b = createSha256();
        let prev = 0;
        for (const p of [...points, data.length]) {
          a.update(data.subarray(prev, p));
          b.update(data.subarray(0, 0));
          sha256(utf8("a one-shot call in between must not disturb the hashers"));
          prev = p;
        }
        expect(hex(a.digest())).toBe(hex(sha256(data)));
        expect(hex(b.digest())).toBe(hex(sha256(new Uint8Array(0))));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses to be used after digest()", () => {
    const h = createSha256().update(utf8("x"));
    h.digest();
    expect(() => h.update(utf8("y"))).toThrow(/digest\(\) was already called/);
  });

  it("hashes 1 MiB identically to node:crypto", () => {
    const data = randomBytes(1 << 20);
    expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
  });

  it("rejects a non-Uint8Array with a typed error", () => {
    expect(() => sha256("abc" as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: "LCORE_WASM_INVALID_INPUT" }),
    );
  });
});
