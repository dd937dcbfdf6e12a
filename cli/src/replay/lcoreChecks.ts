// lcore's checks of a replay (plugged into @lcore/devnet's `replay({ checks })`). Every lcore
// notice carries a state hash (PROTOCOL §4, §9): the state after its input, except
// period_settled (0x90), whose hash is the state at the close of the period, i.e. before the
// input that settled it. The replayed dApp's own state hash is read apart from its outputs,
// with the inspect query `state-hash` before the first input and after each one, and every
// notice's hash must equal the right one. The records its records-accepted notices list are
// counted (the replay's records/s).

import {
  decodeOutput,
  type Divergence,
  type Hex,
  type InspectResult,
  type ReplayChecks,
  type ReplayedDapp,
} from "@lcore/devnet/replay";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeInspectQuery, type StateHashInfo } from "@lcore/protocol/inspect";
import { decodeNotice } from "@lcore/protocol/notices";

/** The inspect payload that asks an lcore dApp for its state hash. */
export const STATE_HASH_QUERY: Hex = toHex(encodeInspectQuery({ kind: "state_hash" }));

const HASH = /^0x[0-9a-f]{64}$/;

/** The state hash in an inspect answer, or undefined if the dApp did not answer as an lcore dApp does. */
export function stateHashFromInspect(answer: Pick<InspectResult, "status" | "reports">): Hex | undefined {
  if (answer.status !== "ACCEPTED" || answer.reports.length !== 1) return undefined;
  try {
    const info = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(fromHex(answer.reports[0]!)),
    ) as Partial<StateHashInfo>;
    return typeof info.stateHash === "string" && HASH.test(info.stateHash) ? (info.stateHash as Hex) : undefined;
  } catch {
    return undefined;
  }
}

export interface NoticeCheck {
  /** Notices whose state hash was compared. */
  stateHashesChecked: number;
  /** Records the input's records-accepted notices list (for records/s). */
  records: number;
  divergences: Divergence[];
}

/**
 * Read one input's outputs: count the records its lcore notices accept and, given the
 * replayed state hashes around the input, compare every notice's state hash with the state
 * before (0x90) or after (every other kind) the input. `firstOutput` is the global index of
 * the input's first output. Outputs that are not lcore notices are skipped: their bytes are
 * checked against the claims anyway.
 */
export function checkNotices(
  inputIndex: number,
  firstOutput: number,
  outputs: readonly Hex[],
  states?: { before: Hex; after: Hex },
): NoticeCheck {
  const found: NoticeCheck = { stateHashesChecked: 0, records: 0, divergences: [] };
  outputs.forEach((output, k) => {
    const decoded = decodeOutput(output);
    if (decoded?.type !== "Notice") return;
    let notice: ReturnType<typeof decodeNotice>;
    try {
      notice = decodeNotice(fromHex(decoded.payload));
    } catch {
      return;
    }
    if (notice.kind === "records_accepted") found.records += notice.records.length;
    if (!states) return;
    found.stateHashesChecked++;
    const closing = notice.kind === "period_settled";
    const expected = closing ? states.before : states.after;
    const got = toHex(notice.stateHash);
    if (got !== expected) {
      found.divergences.push({
        inputIndex,
        outputIndex: firstOutput + k,
        what: `state hash in the ${notice.kind} notice vs the replayed state ${closing ? "before" : "after"} the input`,
        expected,
        got,
      });
    }
  });
  return found;
}

/**
 * The checks for one replay. A dApp that does not answer `state-hash` with lcore's JSON before
 * its first input (a foreign dApp) gets no state-hash check, only its records counted; one
 * that stops answering mid-replay is a divergence, and is not checked after it.
 */
export function lcoreReplayChecks(): ReplayChecks {
  /** Per dApp, its state hash after the last input replayed; undefined: not checked. */
  const states = new Map<ReplayedDapp["role"], Hex | undefined>();
  const counted = (check: NoticeCheck) => ({
    divergences: check.divergences,
    counts: { stateHashesChecked: check.stateHashesChecked, records: check.records },
  });
  return {
    rateOf: "records",
    async start(dapp) {
      states.set(dapp.role, stateHashFromInspect(await dapp.inspect(STATE_HASH_QUERY)));
    },
    async onInput(dapp, input) {
      const before = states.get(dapp.role);
      if (before === undefined) return counted(checkNotices(input.index, input.firstOutput, input.result.outputs));
      const after = stateHashFromInspect(await dapp.inspect(STATE_HASH_QUERY));
      states.set(dapp.role, after);
      if (after === undefined) {
        const check = checkNotices(input.index, input.firstOutput, input.result.outputs);
        return counted({
          ...check,
          divergences: [
            {
              inputIndex: input.index,
              what: "answer to the state-hash inspect after the input",
              expected: "a state hash",
              got: "(none)",
            },
          ],
        });
      }
      return counted(checkNotices(input.index, input.firstOutput, input.result.outputs, { before, after }));
    },
  };
}
