// The records' part of the state hash (PROTOCOL §5, state/stateHash.ts):
//   recordsHash = fold(record rows in id order),  fold(h, row) = keccak256(h || id(u64) || deviceId(u64) || inputIndex(u64) || recordHash)
// Ids follow acceptance order, so appending a row extends the fold in O(1): the folds are
// kept in the `state` row, and recomputeState() rebuilds both from the tables (the tests
// compare the two).

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "@lcore/protocol/bytes";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { recomputeDevicesHash } from "../devices/fold.js";
import { eachDevice } from "../devices/store.js";
import { pruneState } from "../settlement/prune.js";
import type { Store } from "../state/store.js";
import { eachRecord } from "./store.js";

export function foldRecord(
  h: Uint8Array,
  id: bigint,
  deviceId: bigint,
  inputIndex: bigint,
  recHash: Uint8Array,
): Uint8Array {
  return keccak256(new ByteWriter(88).bytes(h, 32).u64(id).u64(deviceId).u64(inputIndex).bytes(recHash, 32).finish());
}

/**
 * Both folds and the table counts from scratch: O(rows), for tests and audits. The
 * records fold starts from the fold saved at the prune point (settlement/prune.ts), so it is
 * the saved fold extended over the rows still stored; `records` counts the pruned ones too.
 */
export function recomputeState(store: Store): {
  devicesHash: Uint8Array;
  recordsHash: Uint8Array;
  devices: bigint;
  revokedDevices: bigint;
  records: bigint;
} {
  let devices = 0n;
  let revokedDevices = 0n;
  const devicesHash = recomputeDevicesHash(store);
  eachDevice(store, (d) => {
    devices++;
    if (d.status !== 0) revokedDevices++;
  });
  const pruned = pruneState(store);
  let records = pruned.prunedThrough;
  let recordsHash: Uint8Array = pruned.fold;
  eachRecord(store, (r, address) => {
    const wire = encodeRecord({
      device: address,
      seq: r.seq,
      timestamp: r.timestamp,
      bodyHash: r.bodyHash,
      signature: r.signature,
      sealed: r.sealed,
    });
    recordsHash = foldRecord(recordsHash, r.id, r.deviceId, r.inputIndex, recordHash(wire));
    records++;
  });
  return { devicesHash, recordsHash, devices, revokedDevices, records };
}
