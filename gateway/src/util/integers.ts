// The 64-bit bounds the JSON API checks numbers against (seq and timestamp are u64,
// value is i64: PROTOCOL §1). Bytes and hex come from @lcore/protocol/bytes.

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;
