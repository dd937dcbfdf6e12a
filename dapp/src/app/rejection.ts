// Thrown by a handler to reject its input: the advance is rolled back and a report
// with the stable reason is posted before the reject.

import type { RejectReason } from "../protocol/reasons.js";

export class Rejection extends Error {
  override name = "Rejection";
  constructor(readonly reason: RejectReason, readonly detail: string) {
    super(`${reason}: ${detail}`);
  }
}
