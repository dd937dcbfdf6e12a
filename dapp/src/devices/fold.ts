// The devices' part of the state hash (PROTOCOL §5, state/stateHash.ts):
//   devicesHash = fold(device rows in id order),  fold(h, row) = keccak256(h || deviceRowBytes(row)), from 32 zero bytes
// A registration appends a row and extends the fold in O(1); a key rotation or revocation
// changes a row in place and refolds the devices table, O(devices): rare owner operations.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "@lcore/protocol/bytes";
import { EMPTY_FOLD } from "../state/stateHash.js";
import type { Store } from "../state/store.js";
import { type DeviceRow, eachDevice } from "./store.js";

/** id(u64) address(20) publicKey(64) owner(20) status(u8) nonce(u64) registeredInput(u64) registeredAt(u64) updatedInput(u64) metadataLength(u16) metadata. */
export function deviceRowBytes(d: DeviceRow): Uint8Array {
  return new ByteWriter(171 + d.metadata.length)
    .u64(d.id)
    .bytes(d.address, 20)
    .bytes(d.publicKey, 64)
    .bytes(d.owner, 20)
    .u8(d.status)
    .u64(d.nonce)
    .u64(d.registeredInput)
    .u64(d.registeredAt)
    .u64(d.updatedInput)
    .u16(d.metadata.length)
    .bytes(d.metadata)
    .finish();
}

export function foldDevice(h: Uint8Array, d: DeviceRow): Uint8Array {
  const row = deviceRowBytes(d);
  const buf = new Uint8Array(32 + row.length);
  buf.set(h);
  buf.set(row, 32);
  return keccak256(buf);
}

/** Fold the whole devices table. */
export function foldDevices(store: Store): Uint8Array {
  let h: Uint8Array = EMPTY_FOLD;
  eachDevice(store, (d) => {
    h = foldDevice(h, d);
  });
  return h;
}
