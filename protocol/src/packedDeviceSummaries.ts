// Device summaries packed as their 44-byte leaf preimages back to back (deviceSummaries.ts:
// device(20) || count(u64) || firstSeq(u64) || lastSeq(u64)), in device address order: the
// form a reader that holds many of them (the dApp settling a period of 100,000 devices)
// gets them in from one query, and whose devicesRoot is hashed in one keccak256Each call
// per tree level (packedTreeRoot.ts) instead of one call and one allocation per leaf and
// node. The root is deviceSummariesTree's, byte for byte.

import { keccak256Each } from "@lcore/wasm-core";
import { ByteReader } from "./bytes.js";
import { DEVICE_SUMMARY_PREIMAGE_LENGTH, type DeviceSummary } from "./deviceSummaries.js";
import { packedTreeRoot } from "./packedTreeRoot.js";

function checkPacked(packed: Uint8Array): number {
  if (packed.length % DEVICE_SUMMARY_PREIMAGE_LENGTH !== 0)
    throw new RangeError(`packed device summaries are ${DEVICE_SUMMARY_PREIMAGE_LENGTH} bytes each`);
  const n = packed.length / DEVICE_SUMMARY_PREIMAGE_LENGTH;
  // Each device address strictly above the one before: sorted, each device once (as deviceSummariesTree demands).
  for (let i = 1; i < n; i++) {
    const a = (i - 1) * DEVICE_SUMMARY_PREIMAGE_LENGTH;
    const b = i * DEVICE_SUMMARY_PREIMAGE_LENGTH;
    let k = 0;
    while (k < 20 && packed[a + k] === packed[b + k]) k++;
    if (k === 20 || packed[a + k]! > packed[b + k]!)
      throw new RangeError("device summaries must be sorted by device address, each device once");
  }
  return n;
}

/** The devicesRoot over packed summaries (at least one), as deviceSummariesTree(...).root. */
export function packedDeviceSummariesRoot(packed: Uint8Array): Uint8Array {
  checkPacked(packed);
  return packedTreeRoot(keccak256Each(packed, DEVICE_SUMMARY_PREIMAGE_LENGTH));
}

/** The packed summaries one by one (what a settlement notice lists). */
export function unpackDeviceSummaries(packed: Uint8Array): DeviceSummary[] {
  const n = checkPacked(packed);
  const r = new ByteReader(packed);
  const out: DeviceSummary[] = [];
  for (let i = 0; i < n; i++)
    out.push({
      device: r.take(20, "device").slice(),
      count: r.u64("count"),
      firstSeq: r.u64("firstSeq"),
      lastSeq: r.u64("lastSeq"),
    });
  return out;
}
