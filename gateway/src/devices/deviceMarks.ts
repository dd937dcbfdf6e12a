// Marking a device the chain refuses: its registration was rejected by the dApp (the
// follower reads that verdict), or a device_revoked notice named it (the settlement
// follower reads every output, whichever relayer caused it).
//
// A mark is written in the transaction that records what revealed it (the input's verdict,
// the outputs cursor), so a crash cannot record one without the other. In the same
// transaction the device's queued readings are withdrawn: they end `rejected` with
// withdrawnReason(mark) and are never packed, rather than sent in a batch the dApp
// would skip or left queued for good. Readings already in an input keep going and get
// the dApp's own verdict. Only after the commit does the in-memory device refuse new
// readings; one that passed ingest meanwhile is withdrawn by the batcher (chain/batcher.ts).

import type { GatewayContext } from "../context.js";
import { type DeviceState, effectiveMark, withdrawnReason } from "./deviceRegistry.js";
import type { ChainMark } from "../outbox/deviceStore.js";
import type { Statement } from "../outbox/writer.js";

export interface Marking {
  state: DeviceState;
  mark: ChainMark;
}

/**
 * Writes `statements`, the marks and the withdrawals in one transaction; then applies the
 * marks in memory and counts the withdrawn readings (outbox queue, outcome metrics).
 */
export async function writeWithMarks(ctx: GatewayContext, statements: Statement[], marks: Marking[]): Promise<void> {
  const { outbox, metrics } = ctx;
  const effective = marks.map((m) => ({ state: m.state, mark: effectiveMark(m.state.chainMark, m.mark) }));
  const changes = await outbox.write([
    ...statements,
    ...effective.flatMap(({ state, mark }) => [
      outbox.devices.markStatement(state.address, mark),
      outbox.readings.withdrawStatement(state.address, withdrawnReason(mark)),
    ]),
  ]);
  effective.forEach(({ state, mark }, i) => {
    state.chainMark = mark;
    const withdrawn = changes[statements.length + 2 * i + 1] ?? 0;
    if (withdrawn === 0) return;
    outbox.noteWithdrawn(withdrawn);
    metrics.readingOutcomes.inc({ outcome: "rejected", reason: withdrawnReason(mark) }, withdrawn);
  });
}
