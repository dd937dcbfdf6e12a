// What a replay's caller checks beyond outputs and claims: a dApp's own invariants (lcore's
// state hash in every notice, for one), plugged in through `replay({ checks })`. The replay
// hands each check every input's result, per dApp, with the dApp itself to inspect: nothing is
// sent to the dApp between the input and the check, so an inspect sees the state right after it.

import type { Hex } from "../hex.js";
import type { AdvanceResult, InspectResult } from "../rollupHttpServer.js";
import type { Divergence } from "./divergence.js";

/** One dApp of a replay: the replayed build ("dapp") or the build run beside it ("shadow"). */
export interface ReplayedDapp {
  role: "dapp" | "shadow";
  /** Inspect the dApp between inputs. */
  inspect(payload: Hex): Promise<InspectResult>;
}

/** One input as a dApp of the replay processed it. */
export interface ReplayedInput {
  index: number;
  /** Global index of the input's first output (the leaf in the outputs tree). */
  firstOutput: number;
  result: AdvanceResult;
}

export interface ReplayCheckResult {
  /** Differences found; for the replayed dApp only the first of the replay is reported, for the shadow every one. */
  divergences?: Divergence[];
  /** Counters added up over the replayed dApp's inputs into the report's `counts` (the shadow's are not counted). */
  counts?: Record<string, number>;
}

export interface ReplayChecks {
  /** Once per dApp, before its first input. */
  start?(dapp: ReplayedDapp): Promise<void>;
  /** Once per dApp and input, before the next input is sent. */
  onInput(dapp: ReplayedDapp, input: ReplayedInput): Promise<ReplayCheckResult> | ReplayCheckResult;
  /** The counter whose rate the progress line shows (e.g. "records"); by default the inputs. */
  rateOf?: string;
}
