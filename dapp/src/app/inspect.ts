// Inspect: read-only answers as one JSON report of at most MAX_INSPECT_REPORT_BYTES.
// Runs outside any savepoint and writes nothing. Each feature answers its own queries
// (its inspect.ts, reached through dispatch.ts); the state row's queries are answered here.

import { toHex } from "@lcore/protocol/bytes";
import { type Counters, InspectQueryError, type StateHashInfo } from "@lcore/protocol/inspect";
import { stateHash } from "../state/stateHash.js";
import type { Store } from "../state/store.js";

export type InspectAnswer = { ok: true; body: object } | { ok: false; body: { error: string; detail: string } };

/** `v`, or the query's `not_found` answer. */
export function found<T>(v: T | null, what: string): T {
  if (v === null) throw new InspectQueryError("not_found", `no such ${what}`);
  return v;
}

/** `state-hash`: the state hash and what it is taken over (PROTOCOL §5). */
export function answerStateHash(store: Store): StateHashInfo {
  const s = store.state();
  return {
    stateHash: toHex(stateHash(s)), devicesHash: toHex(s.devicesHash), recordsHash: toHex(s.recordsHash),
    devices: s.devices.toString(), records: s.records.toString(),
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
