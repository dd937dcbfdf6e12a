// Inspect `period/<n>` (PROTOCOL §4.3, §9, §11): a settled period, and whether its records
// were pruned.

import { toHex } from "@lcore/protocol/bytes";
import type { SettledPeriodInfo } from "@lcore/protocol/inspect";
import { found } from "../context/inspect.js";
import type { Store } from "../state/store.js";
import { pruneState } from "./prune.js";
import { settledPeriod } from "./store.js";

export function answerPeriod(store: Store, period: bigint): SettledPeriodInfo {
  const p = found(settledPeriod(store, period), "settled period");
  return {
    period: p.period.toString(),
    firstRecord: p.firstRecord.toString(),
    recordCount: p.recordCount.toString(),
    recordsRoot: toHex(p.recordsRoot),
    stateHash: toHex(p.stateHash),
    settledInput: p.settledInput.toString(),
    pruned: p.firstRecord + p.recordCount - 1n <= pruneState(store).prunedThrough,
  };
}
