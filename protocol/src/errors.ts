// A payload that cannot be decoded. `reason` is one of the stable REJECT_REASONS.

import type { RejectReason } from "./reasons.js";

export class DecodeError extends Error {
  override name = "DecodeError";
  constructor(
    readonly reason: RejectReason,
    /** Deterministic, secret-free text for the report: offsets and lengths only. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}
