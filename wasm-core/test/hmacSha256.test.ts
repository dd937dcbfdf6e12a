import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacSha256 } from "@lcore/wasm-core";
import { bytesUpTo, bytes, hex, utf8, wycheproof } from "./hex.js";

describe("hmacSha256", () => {
  // RFC 4231 §4.2-§4.8 (test case 5 truncates the tag to 128 bits).
  const rfc4231 = [
    {
      key: "0b".repeat(20),
      data: hex(utf8("Hi There")),
      mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    },
    {
      key: hex(utf8("Jefe")),
      data: hex(utf8("what do ya want for nothing?")),
      mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    },
    {
      key: "aa".repeat(20),
      data: "dd".repeat(50),
      mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    },
    {
      key: "0102030405060708090a0b0c0d0e0f10111213141516171819",
      data: "cd".repeat(50),
      mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    },
    { key: "0c".repeat(20), data: hex(utf8("Test With Truncation")), mac: "a3b6167473100ee06e0c796c2955552b" },
    {
      key: "aa".repeat(131),
      data: hex(utf8("Test Using Larger Than Block-Size Key - Hash Key First")),
      mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    },
    {
      key: "aa".repeat(131),
      data: hex(
        utf8(
          "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
        ),
      ),
      mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    },
  ];
  it.each(rfc4231)("RFC 4231 test case %#", ({ key, data, mac }) => {
    expect(hex(hmacSha256(bytes(key), bytes(data))).slice(0, mac.length)).toBe(mac);
  });

  type T = { tcId: number; key: string; msg: string; tag: string; result: "valid" | "invalid" | "acceptable" };
  const file = wycheproof<T>("hmac_sha256_test");
  const tests = file.testGroups.flatMap((g) => g.tests);
  it(`passes all ${tests.length} Wycheproof HMAC-SHA256 vectors, invalid ones included`, () => {
    expect(tests.length).toBe(file.numberOfTests);
    for (const t of tests) {
      // Truncated-tag groups compare a prefix; "invalid" vectors carry a tag that must not match.
      const got = hex(hmacSha256(bytes(t.key), bytes(t.msg))).slice(0, t.tag.length);
      expect(got === t.tag, `tcId ${t.tcId}`).toBe(t.result !== "invalid");
    }
  });

  it("matches node:crypto on random keys and inputs up to 64 KiB", () => {
    let longest = 0;
    fc.assert(
      fc.property(bytesUpTo(200), bytesUpTo(65536), (key, data) => {
        longest = Math.max(longest, data.length);
        expect(hex(hmacSha256(key, data))).toBe(createHmac("sha256", key).update(data).digest("hex"));
      }),
      { numRuns: 200 },
    );
    // The generator must really reach the multi-block, multi-chunk sizes.
    expect(longest).toBeGreaterThan(16384);
  });
});
