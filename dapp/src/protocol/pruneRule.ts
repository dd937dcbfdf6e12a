// The pruning rule of PROTOCOL §11, pure so that the dApp (state/prune.ts) and an
// off-chain history (recordHistory.ts) apply the very same one: given the settled periods
// whose records are still kept, oldest first, which must go.

import { PRUNE_KEEP_RECORDS, PRUNE_KEEP_SETTLED_PERIODS } from "./bounds.js";

export function periodsToPrune<P extends { recordCount: bigint }>(kept: readonly P[]): P[] {
  let records = 0n;
  for (const p of kept) records += p.recordCount;
  let i = 0;
  while (i < kept.length && (kept.length - i > PRUNE_KEEP_SETTLED_PERIODS || records > PRUNE_KEEP_RECORDS)) {
    records -= kept[i]!.recordCount;
    i++;
  }
  return kept.slice(0, i);
}
