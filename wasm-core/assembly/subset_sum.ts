// Subset-sum solution verification with the COINjecture rules (DESIGN §4).
//
// Reasons are numbered; the wrapper (src/subsetSum.ts) maps them to names. Checks run
// in a fixed order so that every implementation reports the same first reason:
// tier, size, empty, then index by index in the order given (out-of-range, duplicate,
// overflow of the running checked sum), and finally mismatch.

export const SUBSET_OK: u32 = 0;
export const SUBSET_TIER: u32 = 1;
export const SUBSET_SIZE: u32 = 2;
export const SUBSET_EMPTY: u32 = 3;
export const SUBSET_OUT_OF_RANGE: u32 = 4;
export const SUBSET_DUPLICATE: u32 = 5;
export const SUBSET_OVERFLOW: u32 = 6;
export const SUBSET_MISMATCH: u32 = 7;

// Tier t allows TIER_MIN[t]..TIER_MAX[t] elements (index 0 unused).
const TIER_MIN: usize = memory.data<u8>([0, 8, 12, 16, 20, 24]);
const TIER_MAX: usize = memory.data<u8>([0, 12, 16, 20, 24, 32]);
const MAX_TIER: u32 = 5;

/**
 * elements: n i64 values at `elements`; indices: m u32 values at `indices`.
 * The element count is at most 32 (tier 5), so a 32-bit mask tracks which indices were used.
 */
export function verifySubsetSum(
  tier: u32, elements: usize, n: u32, target: i64, indices: usize, m: u32,
): u32 {
  if (tier < 1 || tier > MAX_TIER) return SUBSET_TIER;
  if (n < <u32>load<u8>(TIER_MIN + tier) || n > <u32>load<u8>(TIER_MAX + tier)) return SUBSET_SIZE;
  if (m == 0) return SUBSET_EMPTY;
  let used: u32 = 0;
  let sum: i64 = 0;
  for (let k: u32 = 0; k < m; k++) {
    const i = load<u32>(indices + (<usize>k << 2));
    if (i >= n) return SUBSET_OUT_OF_RANGE;
    const bit: u32 = 1 << i;
    if (used & bit) return SUBSET_DUPLICATE;
    used |= bit;
    const v = load<i64>(elements + (<usize>i << 3));
    const next = sum + v;
    // Signed overflow happened iff both operands have the same sign and the result's differs.
    if (((sum ^ next) & (v ^ next)) < 0) return SUBSET_OVERFLOW;
    sum = next;
  }
  return sum == target ? SUBSET_OK : SUBSET_MISMATCH;
}
