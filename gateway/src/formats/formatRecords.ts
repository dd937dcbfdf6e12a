// A format device's reading read back by its owner (PROTOCOL §12.5): the exact bytes the
// device signed, checked against the stored digest as the dApp checks them at disclosure,
// with the value and time read from the format's own fields.

import { readFormatBody } from "@lcore/protocol/formatBody";
import { equalBytes, toHex } from "@lcore/protocol/bytes";
import type { DeviceState } from "../devices/deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import type { ReadingRow } from "../outbox/readingStore.js";

export function formatPlainRecord(d: DeviceState, r: ReadingRow, body: Uint8Array) {
  const reading = readFormatBody(d.format, body, d.valueField, d.scale);
  // The outbox is trusted storage, but a record that does not match its signed digest must never be shown as genuine.
  if (!equalBytes(reading.digest, r.digest) || reading.time !== r.timestamp)
    throw new GatewayError("LCORE_GW_INTERNAL", "a stored record does not match its signed digest");
  return {
    seq: r.seq.toString(),
    timestamp: r.timestamp.toString(),
    // Formats carry no 16-byte nonce of lcore's (ioID-SDK's is a u32 inside the signed bytes).
    nonce: `0x${"00".repeat(16)}`,
    value: reading.value.toString(),
    payload: toHex(body),
    digest: toHex(r.digest),
  };
}
