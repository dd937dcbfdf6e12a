// Inspect `device/<address>` (PROTOCOL §4.3): the device's row and its record counters.

import { type DeviceFormat, FORMAT_NAMES } from "@lcore/protocol/deviceFormats";
import { formatOf } from "./formats.js";
import { toHex } from "@lcore/protocol/bytes";
import type { DeviceInfo } from "@lcore/protocol/inspect";
import { found } from "../context/inspect.js";
import type { Store } from "../state/store.js";
import { DEVICE_ACTIVE, deviceByAddress, lastSeq, recordCount } from "./store.js";

export function answerDevice(store: Store, address: Uint8Array): DeviceInfo {
  const d = found(deviceByAddress(store, address), "device");
  const last = lastSeq(store, d.id);
  const f = formatOf(store, d.id);
  return {
    device: toHex(d.address),
    owner: toHex(d.owner),
    publicKey: toHex(d.publicKey),
    metadata: toHex(d.metadata),
    status: d.status === DEVICE_ACTIVE ? "active" : "revoked",
    nonce: d.nonce.toString(),
    registeredInput: d.registeredInput.toString(),
    registeredAt: d.registeredAt.toString(),
    updatedInput: d.updatedInput.toString(),
    lastSeq: last === null ? null : last.toString(),
    records: recordCount(store, d.id).toString(),
    ...(f === null
      ? {}
      : {
          format: FORMAT_NAMES[f.format as DeviceFormat] ?? String(f.format),
          valueField: f.valueField,
          scale: f.scale,
        }),
  };
}
