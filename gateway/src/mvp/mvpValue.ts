// An MVP `data` number as a reading's value: value = round(data × 1000) (PROTOCOL §7.6,
// §7.7). The MVP data route and the migration of MVP rows share this rule, so a reading
// posted live and the same data migrated from an MVP file get the same value.

import { I64_MAX, I64_MIN } from "../util/integers.js";

/** MVP `data`: a finite number becomes value = round(data × 1000); anything else value 0. */
export const MVP_VALUE_SCALE = 1000;

/** round(data × 1000) of a finite number, or null when it does not fit an i64. */
export function scaledMvpValue(data: number): bigint | null {
  const scaled = Math.round(data * MVP_VALUE_SCALE); // Infinity for |data| beyond ~1.8e305
  const value = Number.isFinite(scaled) ? BigInt(scaled) : I64_MAX + 1n;
  return value < I64_MIN || value > I64_MAX ? null : value;
}
