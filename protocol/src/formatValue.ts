// Numbers a device format carries as JSON, turned into the integers the state keeps
// (PROTOCOL §12.4). JSON gives an IEEE double; its shortest decimal spelling (ECMAScript
// Number::toString, exactly specified, so every machine prints the same digits) is read as
// a decimal and scaled by 10^scale with integer arithmetic only. No float reaches the state.

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** MAX_VALUE_SCALE: a value field is scaled by at most 10^9. */
export const MAX_VALUE_SCALE = 9;

/**
 * x × 10^scale as an exact i64, or null when x is not a finite number, has more
 * fraction digits than `scale` keeps, or does not fit an i64.
 */
export function scaledDecimal(x: unknown, scale: number): bigint | null {
  if (typeof x !== "number" || !Number.isFinite(x)) return null;
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_VALUE_SCALE) return null;
  const text = String(x); // e.g. "23.4", "-0.005", "1e+21", "1.5e-7"
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (m === null) return null;
  const digits = m[2]! + (m[3] ?? "");
  const exponent = (m[4] === undefined ? 0 : Number(m[4])) - (m[3]?.length ?? 0) + scale;
  let v = BigInt(digits);
  if (exponent >= 0) {
    if (exponent > 40) return v === 0n ? 0n : null;
    v *= 10n ** BigInt(exponent);
  } else {
    const div = 10n ** BigInt(-exponent);
    if (v % div !== 0n) return null; // more fraction digits than the scale keeps
    v /= div;
  }
  if (m[1] === "-") v = -v;
  return v < I64_MIN || v > I64_MAX ? null : v;
}

/** A non-negative JSON integer no larger than 2^53 − 1 (what a double holds exactly), as a bigint; else null. */
export function safeUnsigned(x: unknown): bigint | null {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0 ? BigInt(x) : null;
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

/**
 * Seconds since 1970 of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (fraction
 * dropped), by the civil-calendar day count, without Date; null if it is not that form or
 * not a real time.
 */
export function isoUtcSeconds(s: unknown): bigint | null {
  if (typeof s !== "string") return null;
  const m = ISO_UTC.exec(s);
  if (m === null) return null;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return null;
  return BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + mi * 60 + se);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil), y ≥ 1970. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
