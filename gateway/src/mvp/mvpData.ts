// An MVP client's `data` as a reading (PROTOCOL §12.7). The KC-Chain-M1 harness's client
// (utils/lcore_client.py) sends `data` as a JSON *string* of sensor values: its bytes are the
// reading's payload exactly as sent, not re-encoded. Any other JSON value is stored as its
// JSON text, as before. The value disclosures aggregate is the number itself, or the number
// at the operator's configured field of the JSON object (LCORE_GW_MVP_VALUE_FIELD), × 10^scale
// rounded (scale 3 by default: the MVP's value = round(data × 1000)); 0 when there is none.

import { I64_MAX, I64_MIN } from "../util/integers.js";

export interface MvpValueRule {
  field?: string | undefined;
  scale: number;
}

export const DEFAULT_MVP_VALUE: MvpValueRule = { scale: 3 };

/** The payload bytes of `data`. */
export function mvpPayload(data: unknown): Uint8Array {
  return new TextEncoder().encode(typeof data === "string" ? data : JSON.stringify(data ?? null));
}

/**
 * The reading's value: "out_of_range" when the number × 10^scale does not fit an i64.
 * A string is read as JSON text (what the harness sends); text that is not JSON has no value.
 */
export function mvpValue(data: unknown, rule: MvpValueRule): bigint | "out_of_range" {
  let v: unknown = data;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return 0n;
    }
  }
  if (rule.field !== undefined && typeof v === "object" && v !== null && !Array.isArray(v))
    v = Object.hasOwn(v, rule.field) ? (v as Record<string, unknown>)[rule.field] : undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) return 0n;
  const scaled = Math.round(v * 10 ** rule.scale); // Infinity beyond ~1.8e308
  if (!Number.isFinite(scaled)) return "out_of_range";
  const n = BigInt(scaled);
  return n < I64_MIN || n > I64_MAX ? "out_of_range" : n;
}
