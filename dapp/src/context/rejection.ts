// Thrown by a handler to reject its input: the advance is rolled back and a report
// with the stable reason is posted before the reject. When one record is the cause (a
// disclosure's record that does not open), the report names it, so the owner learns
// which record to look at rather than only that the period failed.

import type { RejectReason } from "@lcore/protocol/reasons";
import type { RejectedRecord } from "@lcore/protocol/reports";

export type { RejectedRecord };

export class Rejection extends Error {
  override name = "Rejection";
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
    readonly record?: RejectedRecord,
  ) {
    super(`${reason}: ${detail}`);
  }
}
