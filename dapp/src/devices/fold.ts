// The devices' part of the state hash (PROTOCOL §5, state/stateHash.ts):
//   devicesHash = fold(device row versions in the order written),  fold(h, row) = keccak256(h || deviceRowBytes(row)), from 32 zero bytes
// A registration writes a row, a key rotation or revocation writes a new version of one; each
// extends the fold by the version written, so every device input costs O(1) whatever the
// number of devices (refolding the table after a rotation cost O(devices): 3-5 s at 100,000).
// Without rotations and revocations this is the fold of the rows in id order, as before.
// The replaced versions are kept in device_updates so recomputeDevicesHash can check the fold.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "@lcore/protocol/bytes";
import { EMPTY_FOLD } from "../state/stateHash.js";
import { int } from "../state/statements.js";
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

/** Extend the fold by a rotated or revoked device's new version, keeping the one it replaces (call before updateDevice). */
export function foldDeviceUpdate(store: Store, h: Uint8Array, before: DeviceRow, after: DeviceRow, inputIndex: bigint) {
  store.sql.run("INSERT INTO device_updates (input_index, written_input, previous) VALUES (?, ?, ?)", [
    int(inputIndex),
    int(before.updatedInput),
    deviceRowBytes(before),
  ]);
  return foldDevice(h, after);
}

/** The devices fold from scratch: every version (replaced ones and the rows), in the order of the inputs that wrote them. O(devices + updates), for tests and audits. */
export function recomputeDevicesHash(store: Store): Uint8Array {
  const versions: { input: bigint; bytes: Uint8Array }[] = [];
  store.sql.all("SELECT written_input, previous FROM device_updates ORDER BY input_index", [], (v) =>
    versions.push({ input: v[0] as bigint, bytes: v[1] as Uint8Array }),
  );
  eachDevice(store, (d) => versions.push({ input: d.updatedInput, bytes: deviceRowBytes(d) }));
  // One input writes at most one version, so the inputs are distinct and the order is total.
  versions.sort((x, y) => (x.input < y.input ? -1 : x.input > y.input ? 1 : 0));
  let h: Uint8Array = EMPTY_FOLD;
  for (const v of versions) {
    const buf = new Uint8Array(32 + v.bytes.length);
    buf.set(h);
    buf.set(v.bytes, 32);
    h = keccak256(buf);
  }
  return h;
}
