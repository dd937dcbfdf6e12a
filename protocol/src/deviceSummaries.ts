// Per-device summaries of a settlement period (PROTOCOL §9.1): what each device sent in
// the period — its record count and first and last seq — committed on chain as one root
// (LcoreSettlement.settlePeriod's devicesRoot), so that a verifier can tell, from the
// chain alone, how many readings a device sent and which are missing from what it was
// handed, while the settlement call stays the same size for any fleet.
//
//   leaf  = keccak256(device(20) || count(u64) || firstSeq(u64) || lastSeq(u64))    (44-byte preimage)
//   tree  = leaves ordered by device address (bytewise), built as the records tree (recordsTree.ts)
//
// A 44-byte preimage cannot be mistaken for an inner node's 64, and the proof length is
// fixed by the device count, as for records.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "./bytes.js";
import { type RecordsTree, recordsTree, treeDepth, verifyRecordsProof } from "./recordsTree.js";

export interface DeviceSummary {
  device: Uint8Array;
  /** Records of the device accepted in the period. */
  count: bigint;
  /** The smallest and largest seq among them. */
  firstSeq: bigint;
  lastSeq: bigint;
}

export const DEVICE_SUMMARY_PREIMAGE_LENGTH = 20 + 8 + 8 + 8;

export function deviceSummaryLeaf(s: DeviceSummary): Uint8Array {
  return keccak256(
    new ByteWriter(DEVICE_SUMMARY_PREIMAGE_LENGTH)
      .bytes(s.device, 20)
      .u64(s.count)
      .u64(s.firstSeq)
      .u64(s.lastSeq)
      .finish(),
  );
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The summaries of a period's records, given as (device, seq) in any order; sorted by device address. */
export function summarizeDevices(records: Iterable<{ device: Uint8Array; seq: bigint }>): DeviceSummary[] {
  const byDevice = new Map<string, DeviceSummary>();
  for (const r of records) {
    const key = Array.from(r.device, (b) => b.toString(16).padStart(2, "0")).join("");
    const s = byDevice.get(key);
    if (s === undefined) byDevice.set(key, { device: r.device.slice(), count: 1n, firstSeq: r.seq, lastSeq: r.seq });
    else {
      s.count++;
      if (r.seq < s.firstSeq) s.firstSeq = r.seq;
      if (r.seq > s.lastSeq) s.lastSeq = r.seq;
    }
  }
  return [...byDevice.values()].sort((a, b) => compareBytes(a.device, b.device));
}

/** The tree over summaries already sorted by device address (as summarizeDevices returns them). */
export function deviceSummariesTree(sorted: readonly DeviceSummary[]): RecordsTree {
  for (let i = 1; i < sorted.length; i++)
    if (compareBytes(sorted[i - 1]!.device, sorted[i]!.device) >= 0)
      throw new RangeError("device summaries must be sorted by device address, each device once");
  return recordsTree(sorted.map(deviceSummaryLeaf));
}

/** LcoreSettlement.verifyDeviceSummary's check, off chain. */
export function verifyDeviceSummaryProof(
  devicesRoot: Uint8Array,
  deviceCount: number,
  summary: DeviceSummary,
  index: number,
  proof: readonly Uint8Array[],
): boolean {
  return verifyRecordsProof(devicesRoot, deviceCount, deviceSummaryLeaf(summary), index, proof);
}

export { treeDepth as deviceTreeDepth };
