// Thrown by a handler to reject its input: the advance is rolled back and a report
// with the stable reason is posted before the reject. When one record is the cause (a
// disclosure's record that does not open), the report names it, so the owner learns
// which record to look at rather than only that the period failed.

import type { RejectReason } from "@lcore/protocol/reasons";

/** The record a rejection is about, as the report spells it. */
export interface RejectedRecord {
  device: `0x${string}`;
  seq: string;
  /** keccak256 of the record's wire bytes (PROTOCOL §3.5): which copy, since only the accepted one is in the state. */
  recordHash: `0x${string}`;
}

export class Rejection extends Error {
  override name = "Rejection";
  constructor(readonly reason: RejectReason, readonly detail: string, readonly record?: RejectedRecord) {
    super(`${reason}: ${detail}`);
  }
}
