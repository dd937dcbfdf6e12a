// The canonical state hash: a hash over the ordered contents of the tables, never over
// SQLite's file bytes, so it depends on what is stored and not on how a given sql.js
// version lays it out.
//
//   devicesHash = fold(device rows in id order),  fold(h, row) = keccak256(h || deviceRowBytes(row)), from 32 zero bytes
//   recordsHash = fold(record rows in id order),  fold(h, row) = keccak256(h || id(u64) || deviceId(u64) || inputIndex(u64) || recordHash)
//   stateHash   = keccak256("lcore/v1/state" || devicesHash || recordsHash || devices(u64) || revokedDevices(u64)
//                           || records(u64) || batches(u64) || skippedRecords(u64) || lastInputIndex(u64; 2^64 − 1 before the first)
//                           || settlementHash)                  settlementHash: see settlementHash.ts
//
// Once the wallet or the bounties hold anything (wallet/store.ts):
//   stateHash = keccak256("lcore/v1/state+wallet" || the hash above || walletHash)
// so a state without them hashes as before. Likewise, once an owner allows a submitter
// (submitters/store.ts):
//   stateHash = keccak256("lcore/v1/state+submitters" || the hash above || submittersHash)
//
// Ids follow acceptance order, so appending a row extends the fold in O(1): the folds
// are kept in the `state` row and recomputeState() rebuilds them from the tables (the
// tests compare both). A key rotation or revocation changes a device row in place and
// refolds the devices table, O(devices); these are rare owner operations.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter, ascii } from "@lcore/protocol/bytes";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import type { DeviceRow, StateRow, Store } from "./store.js";
import { pruneState } from "../settlement/prune.js";

const STATE_TAG = ascii("lcore/v1/state");
const NO_INPUT = (1n << 64n) - 1n;
const STATE_WALLET_TAG = ascii("lcore/v1/state+wallet");
const STATE_SUBMITTERS_TAG = ascii("lcore/v1/state+submitters");
export const EMPTY_FOLD: Uint8Array = new Uint8Array(32);

/** id(u64) address(20) publicKey(64) owner(20) status(u8) nonce(u64) registeredInput(u64) registeredAt(u64) updatedInput(u64) metadataLength(u16) metadata. */
export function deviceRowBytes(d: DeviceRow): Uint8Array {
  return new ByteWriter(171 + d.metadata.length)
    .u64(d.id).bytes(d.address, 20).bytes(d.publicKey, 64).bytes(d.owner, 20).u8(d.status).u64(d.nonce)
    .u64(d.registeredInput).u64(d.registeredAt).u64(d.updatedInput).u16(d.metadata.length).bytes(d.metadata)
    .finish();
}

export function foldDevice(h: Uint8Array, d: DeviceRow): Uint8Array {
  const row = deviceRowBytes(d);
  const buf = new Uint8Array(32 + row.length);
  buf.set(h);
  buf.set(row, 32);
  return keccak256(buf);
}

export function foldRecord(h: Uint8Array, id: bigint, deviceId: bigint, inputIndex: bigint, recHash: Uint8Array): Uint8Array {
  return keccak256(new ByteWriter(88).bytes(h, 32).u64(id).u64(deviceId).u64(inputIndex).bytes(recHash, 32).finish());
}

export function stateHash(s: StateRow): Uint8Array {
  let h = baseStateHash(s);
  if (s.walletHash != null) h = keccak256(new ByteWriter(85).bytes(STATE_WALLET_TAG).bytes(h, 32).bytes(s.walletHash, 32).finish());
  if (s.submittersHash != null) {
    h = keccak256(new ByteWriter(89).bytes(STATE_SUBMITTERS_TAG).bytes(h, 32).bytes(s.submittersHash, 32).finish());
  }
  return h;
}

function baseStateHash(s: StateRow): Uint8Array {
  return keccak256(
    new ByteWriter(14 + 64 + 48 + 32)
      .bytes(STATE_TAG).bytes(s.devicesHash, 32).bytes(s.recordsHash, 32)
      .u64(s.devices).u64(s.revokedDevices).u64(s.records).u64(s.batches).u64(s.skippedRecords)
      .u64(s.lastInputIndex ?? NO_INPUT)
      .bytes(s.settlementHash, 32)
      .finish(),
  );
}

/** Fold the whole devices table. */
export function foldDevices(store: Store): Uint8Array {
  let h: Uint8Array = EMPTY_FOLD;
  store.eachDevice((d) => { h = foldDevice(h, d); });
  return h;
}

/**
 * Both folds and the table counts from scratch: O(rows), for tests and audits. The
 * records fold starts from the fold saved at the prune point (settlement/prune.ts), so it is
 * the saved fold extended over the rows still stored; `records` counts the pruned ones too.
 */
export function recomputeState(store: Store): { devicesHash: Uint8Array; recordsHash: Uint8Array; devices: bigint; revokedDevices: bigint; records: bigint } {
  let devices = 0n;
  let revokedDevices = 0n;
  let devicesHash: Uint8Array = EMPTY_FOLD;
  store.eachDevice((d) => {
    devicesHash = foldDevice(devicesHash, d);
    devices++;
    if (d.status !== 0) revokedDevices++;
  });
  const pruned = pruneState(store);
  let records = pruned.prunedThrough;
  let recordsHash: Uint8Array = pruned.fold;
  store.eachRecord((r, address) => {
    const wire = encodeRecord({
      device: address, seq: r.seq, timestamp: r.timestamp, bodyHash: r.bodyHash, signature: r.signature, sealed: r.sealed,
    });
    recordsHash = foldRecord(recordsHash, r.id, r.deviceId, r.inputIndex, recordHash(wire));
    records++;
  });
  return { devicesHash, recordsHash, devices, revokedDevices, records };
}
