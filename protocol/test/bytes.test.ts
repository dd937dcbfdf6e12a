// Hex in the codec: long strings take Node's native path, short ones the loops; both must give
// the same bytes and refuse the same strings, at every length across the switch.

import { describe, expect, it } from "vitest";
import { parseHex, toHex } from "@lcore/protocol/bytes";

/** The reference: one byte at a time, by hand. */
function reference(bytes: Uint8Array): string {
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

describe("hex", () => {
  it("round-trips every length around the native switch and up to 64 KiB, either case in", () => {
    for (const length of [0, 1, 2, 100, 127, 128, 129, 200, 4096, 65_536]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 167 + length) & 0xff);
      const hex = toHex(bytes);
      expect(hex).toBe(reference(bytes));
      expect(parseHex(hex)).toEqual(bytes);
      expect(parseHex(`0X${hex.slice(2).toUpperCase()}`)).toEqual(bytes);
      // A view into a larger buffer is read from its offset.
      const wide = new Uint8Array(length + 10);
      wide.set(bytes, 5);
      expect(toHex(wide.subarray(5, 5 + length))).toBe(hex);
    }
  });

  it("gives bytes of their own, not a view into a shared buffer", () => {
    const parsed = parseHex(`0x${"ab".repeat(200)}`)!;
    expect(parsed.byteOffset).toBe(0);
    expect(parsed.buffer.byteLength).toBe(200);
  });

  it("refuses what is not whole 0x-prefixed hex, short or long", () => {
    for (const digits of [2, 300, 4096]) {
      const good = "ab".repeat(digits / 2);
      expect(parseHex(`0x${good}`)).not.toBeNull();
      expect(parseHex(good)).toBeNull(); // no prefix
      expect(parseHex(`0x${good}a`)).toBeNull(); // half a byte
      expect(parseHex(`0x${good.slice(0, -1)}g`)).toBeNull(); // not a digit, at the end
      expect(parseHex(`0xg${good.slice(1)}`)).toBeNull(); // at the start
      expect(parseHex(`0x${good.slice(0, digits / 2)}zz${good.slice(digits / 2 + 2)}`)).toBeNull(); // in the middle
    }
  });
});
