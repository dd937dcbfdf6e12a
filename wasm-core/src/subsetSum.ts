// Subset-sum solution verification with the COINjecture rules (DESIGN §4).

import { InvalidInputError } from "./errors.js";
import { IO, core, ioView } from "./instance.js";

export interface SubsetSumProblem {
  /** 1..5; tier t allows 8-12, 12-16, 16-20, 20-24 or 24-32 elements. */
  tier: number;
  /** Signed 64-bit integers. */
  elements: bigint[];
  /** Signed 64-bit integer. */
  target: bigint;
}

/**
 * Why a solution was refused, in the order the checks run:
 * - tier: the tier is not 1..5;
 * - size: the element count is outside the tier's range;
 * - empty: no index given;
 * - then for each index in the order given: out-of-range (>= element count),
 *   duplicate (already used), overflow (the running signed 64-bit sum overflowed);
 * - mismatch: the sum differs from the target.
 */
export type SubsetSumReason = "tier" | "size" | "empty" | "out-of-range" | "duplicate" | "overflow" | "mismatch";

export type SubsetSumResult = { ok: true } | { ok: false; reason: SubsetSumReason };

// Indexed by the codes in assembly/subset_sum.ts.
const REASONS: readonly (SubsetSumReason | null)[] = [
  null,
  "tier",
  "size",
  "empty",
  "out-of-range",
  "duplicate",
  "overflow",
  "mismatch",
];

/** Most elements any tier allows; also bounds the index list the module reads. */
export const SUBSET_SUM_MAX_ELEMENTS = 32;

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function assertI64(v: unknown, name: string): asserts v is bigint {
  if (typeof v !== "bigint" || v < I64_MIN || v > I64_MAX) {
    throw new InvalidInputError(`${name} must be a bigint in the signed 64-bit range`);
  }
}

export function verifySubsetSum(problem: SubsetSumProblem, indices: number[]): SubsetSumResult {
  const { tier, elements, target } = problem;
  if (!Number.isSafeInteger(tier)) throw new InvalidInputError("tier must be an integer");
  if (!Array.isArray(elements)) throw new InvalidInputError("elements must be an array of bigint");
  if (!Array.isArray(indices)) throw new InvalidInputError("indices must be an array of integers");
  for (const [i, e] of elements.entries()) assertI64(e, `elements[${i}]`);
  assertI64(target, "target");
  for (const [k, i] of indices.entries()) {
    if (!Number.isSafeInteger(i)) throw new InvalidInputError(`indices[${k}] must be an integer`);
  }
  // Cheap rejections before touching memory, with the same reasons the module gives.
  if (tier < 1 || tier > 5) return { ok: false, reason: "tier" };
  if (elements.length > SUBSET_SUM_MAX_ELEMENTS) return { ok: false, reason: "size" };
  // More indices than elements must repeat or leave the range; find which comes first.
  const m = Math.min(indices.length, elements.length + 1);

  const indicesAt = IO + elements.length * 8;
  const heap = ioView(elements.length * 8 + m * 4);
  const view = new DataView(heap.buffer);
  for (const [i, e] of elements.entries()) view.setBigInt64(IO + i * 8, e, true);
  for (let k = 0; k < m; k++) {
    const i = indices[k]!;
    // Negative or huge indices are out of range; clamp so they still read as such in u32.
    view.setUint32(indicesAt + k * 4, i < 0 || i > 0xffffffff ? 0xffffffff : i, true);
  }
  const code = core.verifySubsetSum(tier, IO, elements.length, target, indicesAt, m);
  const reason = REASONS[code];
  return reason ? { ok: false, reason } : { ok: true };
}
