// Device formats (PROTOCOL §12; tables in state/schema.ts): which firmware's message a
// device's records carry. A device without a row is an lcore device (format 0). Rows are
// only ever added, in device id order, so their fold is extended in O(1):
//
//   formatsHash = fold, from 32 zero bytes: keccak256(h || deviceId(u64) || format(u8) || scale(u8)
//                                                    || valueFieldLength(u8) || valueField)
//
// kept in the one-row device_formats_state, which exists only once a format device is
// registered, so a state without one hashes as before (state/stateHash.ts).

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter, ascii } from "@lcore/protocol/bytes";
import { int } from "../state/statements.js";
import type { Store } from "../state/store.js";

export interface DeviceFormatRow {
  deviceId: bigint;
  format: number;
  scale: number;
  valueField: string;
}

export function formatOf(store: Store, deviceId: bigint): DeviceFormatRow | null {
  const v = store.sql.one("SELECT format, scale, value_field FROM device_formats WHERE device_id = ?", [int(deviceId)]);
  if (v === null) return null;
  let valueField = "";
  for (const b of v[2] as Uint8Array) valueField += String.fromCharCode(b);
  return { deviceId, format: Number(v[0] as bigint), scale: Number(v[1] as bigint), valueField };
}

/** Store the row and extend the fold; returns the new formats hash. */
export function insertFormat(store: Store, r: DeviceFormatRow): Uint8Array {
  const field = ascii(r.valueField);
  store.sql.run("INSERT INTO device_formats (device_id, format, scale, value_field) VALUES (?, ?, ?, ?)", [
    int(r.deviceId),
    r.format,
    r.scale,
    field,
  ]);
  const prev = store.sql.one("SELECT hash FROM device_formats_state WHERE id = 1", []);
  const h = keccak256(
    new ByteWriter(32 + 8 + 3 + field.length)
      .bytes(prev === null ? new Uint8Array(32) : (prev[0] as Uint8Array), 32)
      .u64(r.deviceId)
      .u8(r.format)
      .u8(r.scale)
      .u8(field.length)
      .bytes(field)
      .finish(),
  );
  store.sql.run("INSERT OR REPLACE INTO device_formats_state (id, hash) VALUES (1, ?)", [h]);
  return h;
}
