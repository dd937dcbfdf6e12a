import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SubsetSumProblem, verifySubsetSum } from "@lcore/wasm-core";

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const range = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1));
const problem = (tier: number, elements: bigint[], target: bigint): SubsetSumProblem => ({ tier, elements, target });

describe("verifySubsetSum", () => {
  it("accepts a valid solution in every tier, at both ends of its size range", () => {
    const sizes: [number, number, number][] = [
      [1, 8, 12],
      [2, 12, 16],
      [3, 16, 20],
      [4, 20, 24],
      [5, 24, 32],
    ];
    for (const [tier, lo, hi] of sizes) {
      for (const n of [lo, hi]) {
        const elements = range(n);
        expect(verifySubsetSum(problem(tier, elements, 1n + BigInt(n)), [0, n - 1])).toEqual({ ok: true });
      }
    }
  });

  it("accepts a 32-element tier-5 problem solved by every index", () => {
    const elements = range(32).map((v) => v * 1_000_000_007n - 5n);
    const target = elements.reduce((a, b) => a + b, 0n);
    const all = Array.from({ length: 32 }, (_, i) => 31 - i);
    expect(verifySubsetSum(problem(5, elements, target), all)).toEqual({ ok: true });
  });

  it.each([
    ["tier", problem(0, range(8), 1n), [0]],
    ["tier", problem(6, range(32), 1n), [0]],
    ["size", problem(1, range(7), 1n), [0]],
    ["size", problem(1, range(13), 1n), [0]],
    ["size", problem(5, range(33), 1n), [0]],
    ["empty", problem(1, range(8), 0n), []],
    ["out-of-range", problem(1, range(8), 1n), [8]],
    ["out-of-range", problem(1, range(8), 1n), [-1]],
    ["out-of-range", problem(1, range(8), 1n), [2 ** 40]],
    ["duplicate", problem(1, range(8), 2n), [0, 0]],
    ["mismatch", problem(1, range(8), 4n), [0, 1]],
  ] as const)("refuses with reason %s", (reason, p, indices) => {
    expect(verifySubsetSum(p, [...indices])).toEqual({ ok: false, reason });
  });

  it("reports the first failing index's reason, in the order given", () => {
    const p = problem(1, range(8), 3n);
    expect(verifySubsetSum(p, [0, 0, 99])).toEqual({ ok: false, reason: "duplicate" });
    expect(verifySubsetSum(p, [99, 0, 0])).toEqual({ ok: false, reason: "out-of-range" });
    // 100 indices cannot all be distinct and in range; the first offender still decides.
    expect(verifySubsetSum(p, [1, ...Array(99).fill(1)])).toEqual({ ok: false, reason: "duplicate" });
  });

  it("handles i64 edges and detects overflow in checked 64-bit arithmetic", () => {
    const edges = [I64_MAX, I64_MIN, 1n, -1n, 0n, I64_MAX, I64_MIN, 2n];
    expect(verifySubsetSum(problem(1, edges, I64_MAX), [0])).toEqual({ ok: true });
    expect(verifySubsetSum(problem(1, edges, I64_MIN), [1])).toEqual({ ok: true });
    expect(verifySubsetSum(problem(1, edges, -1n), [0, 1])).toEqual({ ok: true });
    expect(verifySubsetSum(problem(1, edges, 0n), [0, 2])).toEqual({ ok: false, reason: "overflow" });
    expect(verifySubsetSum(problem(1, edges, 0n), [1, 3])).toEqual({ ok: false, reason: "overflow" });
    expect(verifySubsetSum(problem(1, edges, 0n), [0, 5])).toEqual({ ok: false, reason: "overflow" });
    // The running sum is checked, so order matters: MAX + 1 overflows before -1 could bring it back.
    expect(verifySubsetSum(problem(1, edges, I64_MAX), [0, 2, 3])).toEqual({ ok: false, reason: "overflow" });
    expect(verifySubsetSum(problem(1, edges, I64_MAX), [0, 3, 2])).toEqual({ ok: true });
  });

  it("agrees with a BigInt reference model on random problems and solutions", () => {
    const i64 = fc.bigInt({ min: I64_MIN, max: I64_MAX });
    const small = fc.bigInt({ min: -1000n, max: 1000n });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.oneof(i64, small), { minLength: 6, maxLength: 34 }),
        fc.array(fc.integer({ min: -2, max: 36 }), { maxLength: 36 }),
        fc.boolean(),
        (tier, elements, indices, hit) => {
          const sum = indices.reduce((s, i) => s + (elements[i] ?? 0n), 0n);
          const target = hit && sum >= I64_MIN && sum <= I64_MAX ? sum : elements[0]!;
          expect(verifySubsetSum(problem(tier, elements, target), indices)).toEqual(
            reference(tier, elements, target, indices),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("throws on values that are not signed 64-bit bigints", () => {
    expect(() => verifySubsetSum(problem(1, [...range(7), I64_MAX + 1n], 0n), [0])).toThrow(/signed 64-bit/);
    expect(() => verifySubsetSum(problem(1, range(8), I64_MIN - 1n), [0])).toThrow(/signed 64-bit/);
    expect(() => verifySubsetSum(problem(1, range(8), 0n), [0.5])).toThrow(/integer/);
  });
});

/** The DESIGN §4 rules, written independently with BigInt. */
function reference(tier: number, elements: bigint[], target: bigint, indices: number[]) {
  const bounds: Record<number, [number, number]> = { 1: [8, 12], 2: [12, 16], 3: [16, 20], 4: [20, 24], 5: [24, 32] };
  const b = bounds[tier];
  if (!b) return { ok: false, reason: "tier" };
  if (elements.length < b[0] || elements.length > b[1]) return { ok: false, reason: "size" };
  if (indices.length === 0) return { ok: false, reason: "empty" };
  const seen = new Set<number>();
  let sum = 0n;
  for (const i of indices) {
    if (i < 0 || i >= elements.length) return { ok: false, reason: "out-of-range" };
    if (seen.has(i)) return { ok: false, reason: "duplicate" };
    seen.add(i);
    sum += elements[i]!;
    if (sum > I64_MAX || sum < I64_MIN) return { ok: false, reason: "overflow" };
  }
  return sum === target ? { ok: true } : { ok: false, reason: "mismatch" };
}
