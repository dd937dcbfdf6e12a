// The pruning rule of PROTOCOL §11, pure so that the dApp (state/prune.ts) and an
// off-chain history (recordHistory.ts, the gateway's disclosures) apply the very same
// one: given the settled periods whose records are still kept, oldest first, which must go.

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

/**
 * The dApp's prune point after these settlements, oldest first: the highest record id no
 * longer in its state (0 while nothing is pruned). The dApp applies the rule after each
 * settlement; once is enough here, because the rule only ever drops the oldest periods and
 * a settlement only adds to what is kept, so what one application keeps, a later one
 * would have kept too.
 */
export function prunePoint(settled: readonly { firstRecord: bigint; recordCount: bigint }[]): bigint {
  const gone = periodsToPrune(settled);
  if (gone.length === 0) return 0n;
  const last = gone[gone.length - 1]!;
  return last.firstRecord + last.recordCount - 1n;
}
