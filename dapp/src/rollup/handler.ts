// What the rollup loop asks of the application it serves: for an advance, its outputs in
// emission order and its finish status; for an inspect, its reports. The loop knows
// nothing more of it (main.ts hands it the Dapp), and tests call a handler directly.

import type { AdvanceMetadata, FinishStatus } from "@lcore/devnet/rollup-http-api";

export type Output =
  | { type: "notice"; payload: Uint8Array }
  | { type: "report"; payload: Uint8Array }
  | { type: "voucher"; destination: Uint8Array; value: bigint; payload: Uint8Array };

export interface AdvanceOutcome {
  status: FinishStatus;
  /** In emission order. After a reject, reports only. */
  outputs: Output[];
}

export interface InspectOutcome {
  status: FinishStatus;
  reports: Uint8Array[];
}

export interface RollupHandler {
  advance(metadata: AdvanceMetadata, payload: Uint8Array): AdvanceOutcome;
  inspect(payload: Uint8Array): InspectOutcome;
}
