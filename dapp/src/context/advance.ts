// What a handler gets: the store (inside the advance's savepoint), the input's
// metadata, where to put outputs, and an optional benchmark probe.

import type { InputMetadata } from "./metadata.js";
import type { Outputs } from "./outputs.js";
import type { Probe } from "./probe.js";
import type { StateRow, Store } from "../state/store.js";
import { stateHash } from "../state/stateHash.js";

export interface AdvanceContext {
  store: Store;
  meta: InputMetadata;
  out: Outputs;
  probe: Probe | undefined;
}

/** Record the input as the last accepted one, store the state row, and return the state hash after the input. */
export function saveState(ctx: AdvanceContext, s: StateRow): Uint8Array {
  s.lastInputIndex = ctx.meta.inputIndex;
  ctx.store.putState(s);
  s.settlementHash = ctx.store.settlementHash();
  return stateHash(s);
}
