import { hkdfSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HKDF_SHA256_MAX_LENGTH, hkdfSha256 } from "@lcore/wasm-core";
import { bytesUpTo, bytes, hex, wycheproof } from "./hex.js";

describe("hkdfSha256", () => {
  // RFC 5869 Appendix A.1-A.3 (SHA-256 cases).
  const rfc5869 = [
    {
      ikm: "0b".repeat(22),
      salt: "000102030405060708090a0b0c",
      info: "f0f1f2f3f4f5f6f7f8f9",
      length: 42,
      okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    },
    {
      ikm: Array.from({ length: 80 }, (_, i) => i.toString(16).padStart(2, "0")).join(""),
      salt: Array.from({ length: 80 }, (_, i) => (0x60 + i).toString(16).padStart(2, "0")).join(""),
      info: Array.from({ length: 80 }, (_, i) => (0xb0 + i).toString(16).padStart(2, "0")).join(""),
      length: 82,
      okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
    },
    {
      ikm: "0b".repeat(22),
      salt: "",
      info: "",
      length: 42,
      okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    },
  ];
  it.each(rfc5869)("RFC 5869 test case %#", ({ ikm, salt, info, length, okm }) => {
    expect(hex(hkdfSha256(bytes(ikm), bytes(salt), bytes(info), length))).toBe(okm);
  });

  type T = { tcId: number; ikm: string; salt: string; info: string; size: number; okm: string; result: string };
  const file = wycheproof<T>("hkdf_sha256_test");
  const tests = file.testGroups.flatMap((g) => g.tests);
  it(`passes all ${tests.length} Wycheproof HKDF-SHA256 vectors, invalid sizes included`, () => {
    expect(tests.length).toBe(file.numberOfTests);
    for (const t of tests) {
      if (t.result === "invalid") {
        // The only invalid vectors ask for more than 255 * HashLen bytes.
        expect(t.size, `tcId ${t.tcId}`).toBeGreaterThan(HKDF_SHA256_MAX_LENGTH);
        expect(() => hkdfSha256(bytes(t.ikm), bytes(t.salt), bytes(t.info), t.size)).toThrow(
          expect.objectContaining({ code: "LCORE_WASM_INVALID_LENGTH" }),
        );
      } else {
        expect(hex(hkdfSha256(bytes(t.ikm), bytes(t.salt), bytes(t.info), t.size)), `tcId ${t.tcId}`).toBe(t.okm);
      }
    }
  });

  it("matches node:crypto on random inputs", () => {
    let longest = 0;
    fc.assert(
      fc.property(
        bytesUpTo(65536).filter((b) => b.length > 0),
        bytesUpTo(100),
        bytesUpTo(1024),
        fc.integer({ min: 1, max: HKDF_SHA256_MAX_LENGTH }),
        (ikm, salt, info, length) => {
          longest = Math.max(longest, ikm.length);
          const expected = Buffer.from(hkdfSync("sha256", ikm, salt, info, length)).toString("hex");
          expect(hex(hkdfSha256(ikm, salt, info, length))).toBe(expected);
        },
      ),
      { numRuns: 100 },
    );
    // The generator must really reach the multi-block, multi-chunk sizes.
    expect(longest).toBeGreaterThan(16384);
  });

  it("rejects non-integer and negative lengths", () => {
    expect(() => hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 1.5)).toThrow(/integer/);
    expect(() => hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), -1)).toThrow(/length/);
  });
});
