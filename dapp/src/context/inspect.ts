// What a feature's inspect answer works with. Answers are read-only, outside any
// savepoint, as one JSON report of at most MAX_INSPECT_REPORT_BYTES (PROTOCOL §4.3).

import { InspectQueryError } from "@lcore/protocol/inspect";

/** `v`, or the query's `not_found` answer. */
export function found<T>(v: T | null, what: string): T {
  if (v === null) throw new InspectQueryError("not_found", `no such ${what}`);
  return v;
}
