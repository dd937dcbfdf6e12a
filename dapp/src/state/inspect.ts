// Inspect `state-hash` and `counters` (PROTOCOL §4.3): the state row's own queries. Every
// other query is its feature's (its inspect.ts, reached through app/dispatch.ts).

import { toHex } from "@lcore/protocol/bytes";
import type { Counters, StateHashInfo } from "@lcore/protocol/inspect";
import { stateHash } from "./stateHash.js";
import type { Store } from "./store.js";

/** `state-hash`: the state hash and what it is taken over (PROTOCOL §5). */
export function answerStateHash(store: Store): StateHashInfo {
  const s = store.state();
  return {
    stateHash: toHex(stateHash(s)),
    devicesHash: toHex(s.devicesHash),
    recordsHash: toHex(s.recordsHash),
    devices: s.devices.toString(),
    records: s.records.toString(),
    walletHash: s.walletHash == null ? null : toHex(s.walletHash),
    submittersHash: s.submittersHash == null ? null : toHex(s.submittersHash),
  };
}

/** `counters`: the state row's counters. */
export function answerCounters(store: Store): Counters {
  const s = store.state();
  return {
    devices: s.devices.toString(),
    activeDevices: (s.devices - s.revokedDevices).toString(),
    revokedDevices: s.revokedDevices.toString(),
    records: s.records.toString(),
    batches: s.batches.toString(),
    skippedRecords: s.skippedRecords.toString(),
    lastInputIndex: s.lastInputIndex === null ? null : s.lastInputIndex.toString(),
  };
}
