// Disclosure of a day whose records were pruned (kind 0x12, PROTOCOL §11.1). The state no
// longer has the sealed records, so the owner supplies them with inclusion proofs against
// the settled periods' roots, which the state keeps. The dApp checks every proof before it
// opens anything, counts the pruned records it got against the count it kept for the
// device-day (pruned_days), and once it has them all adds the device's records of that
// day still in the state and publishes exactly what a key disclosure (0x11) would.
// Parts list records in increasing seq (= acceptance order per device), so no record
// counts twice and records pruned between parts simply need one more part.

import { keccak256 } from "@lcore/wasm-core";
import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { ByteWriter, equalBytes, toHex } from "@lcore/protocol/bytes";
import type { PrunedDisclosure } from "@lcore/protocol/prunedDisclosure";
import { verifyRecordsProof } from "@lcore/protocol/recordsTree";
import { Rejection } from "../context/rejection.js";
import { requireOwner } from "../devices/authorize.js";
import { deviceByAddress } from "../devices/store.js";
import { deviceRecordsInTime } from "../records/store.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import { openPeriod, putOpenPeriod, settledPeriod } from "../settlement/store.js";
import { pruneState, prunedCount } from "../settlement/prune.js";
import { formatOf } from "../devices/formats.js";
import { addOpened, openRecord, publishDisclosure, requireDisclosable } from "./disclose.js";
import { dropParts, readParts, writeParts } from "./store.js";

export function handlePrunedDisclosure(ctx: AdvanceContext, input: PrunedDisclosure): void {
  const { store, meta } = ctx;
  const device = deviceByAddress(store, input.device);
  if (device === null) throw new Rejection("unknown_device", `device ${toHex(input.device)} is not registered`);
  requireOwner(meta.sender, device.owner);
  const period = BigInt(input.period);
  requireDisclosable(ctx, device.id, period);
  const pruned = prunedCount(store, device.id, period);
  if (pruned === 0n)
    throw new Rejection(
      "not_pruned",
      `no record of ${toHex(input.device)} in period ${input.period} was pruned: disclose with 0x11`,
    );

  const parts = readParts(store, device.id, period) ?? {
    periodKey: input.periodKey,
    voucher: input.voucher,
    agg: { count: 0n, sum: 0n, min: 0n, max: 0n },
    lastSeq: -1n,
  };
  if (!equalBytes(parts.periodKey, input.periodKey) || parts.voucher !== input.voucher) {
    throw new Rejection("disclosure_mismatch", "the period key or flags differ from the first part's");
  }
  const { prunedThrough } = pruneState(store);
  const from = period * DISCLOSURE_PERIOD_SECONDS;
  for (let i = 0; i < input.entries.length; i++) {
    const { record, settlementPeriod, leafIndex, proof } = input.entries[i]!;
    if (record.seq <= parts.lastSeq)
      throw new Rejection("disclosure_mismatch", `entry ${i}: seq ${record.seq} does not follow ${parts.lastSeq}`);
    if (
      !equalBytes(record.device, device.address) ||
      record.timestamp < from ||
      record.timestamp >= from + DISCLOSURE_PERIOD_SECONDS
    ) {
      throw new Rejection(
        "bad_record_proof",
        `entry ${i}: not a record of ${toHex(input.device)} in period ${input.period}`,
      );
    }
    // Proof first: nothing is opened before the record is known to be an accepted one.
    const settled = settledPeriod(store, settlementPeriod);
    if (settled === null || BigInt(leafIndex) >= settled.recordCount)
      throw new Rejection("bad_record_proof", `entry ${i}: no leaf ${leafIndex} in settled period ${settlementPeriod}`);
    if (settled.firstRecord + BigInt(leafIndex) > prunedThrough)
      throw new Rejection("bad_record_proof", `entry ${i}: record is still in the state`);
    if (
      !verifyRecordsProof(settled.recordsRoot, Number(settled.recordCount), keccak256(record.bytes), leafIndex, proof)
    ) {
      throw new Rejection("bad_record_proof", `entry ${i}: proof does not reach period ${settlementPeriod}'s root`);
    }
    addOpened(parts.agg, openRecord(ctx, input.periodKey, device.address, record, formatOf(ctx.store, device.id)));
    parts.lastSeq = record.seq;
  }
  if (parts.agg.count > pruned)
    throw new Rejection("bad_record_proof", `${parts.agg.count} records disclosed, ${pruned} pruned`);

  if (parts.agg.count < pruned) {
    writeParts(store, device.id, period, parts);
    const open = openPeriod(store);
    const fold = keccak256(
      new ByteWriter(32 + 1 + 24 + 8)
        .bytes(open.fold, 32)
        .u8(0x03)
        .u64(device.id)
        .u64(period)
        .u64(parts.agg.count)
        .u64(meta.inputIndex)
        .finish(),
    );
    putOpenPeriod(store, { ...open, fold });
    saveState(ctx, store.state());
    ctx.out.report({
      type: "disclosure_part",
      input: meta.inputIndex.toString(),
      device: toHex(device.address),
      period: input.period,
      disclosed: parts.agg.count.toString(),
      pruned: pruned.toString(),
    });
    return;
  }
  dropParts(store, device.id, period);
  // The day's records still in the state (ids above the prune point) complete the aggregate.
  for (const r of deviceRecordsInTime(store, device.id, from, from + DISCLOSURE_PERIOD_SECONDS - 1n)) {
    addOpened(parts.agg, openRecord(ctx, input.periodKey, device.address, r, formatOf(ctx.store, device.id)));
  }
  publishDisclosure(ctx, device.id, device.address, input.period, input.periodKey, input.voucher, parts.agg);
}
