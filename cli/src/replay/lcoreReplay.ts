// `replay` of @lcore/devnet with lcore's checks (lcoreChecks.ts), and the report `lcore replay`
// prints: the state hashes checked and the records replayed beside the generic figures.

import { replay, type ReplayOptions, type ReplayReport } from "@lcore/devnet/replay";
import { lcoreReplayChecks } from "./lcoreChecks.js";

export interface LcoreReplayReport extends ReplayReport {
  /** Notices whose state hash was compared with the replayed state (0 for a dApp that does not answer inspect `state-hash`). */
  stateHashesChecked: number;
  /** Records accepted in the replayed records-accepted notices. */
  records: number;
  recordsPerSecond: number;
}

export async function lcoreReplay(opts: Omit<ReplayOptions, "checks">): Promise<LcoreReplayReport> {
  const report = await replay({ ...opts, checks: lcoreReplayChecks() });
  const records = report.counts.records ?? 0;
  return {
    ...report,
    stateHashesChecked: report.counts.stateHashesChecked ?? 0,
    records,
    recordsPerSecond: report.replaySeconds > 0 ? records / report.replaySeconds : 0,
  };
}
