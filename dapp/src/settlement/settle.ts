// Period settlement (PROTOCOL §9). Records belong to the settlement period of the input
// that carried them, floor(block_timestamp / SETTLEMENT_PERIOD_SECONDS) — but a period
// never moves back: a development chain's clock can (DESIGN §8), so records that arrive
// while a period is open join it, and the first records after a settlement open no
// period before the one after the last settled. The records of a period are thus a
// contiguous range of ids, at most one period is open (has records, not settled) at a
// time, and settled periods strictly increase. The first input of a
// later period — a tick or any other input — settles it before its own content is
// handled: a voucher to LcoreSettlement.settlePeriod and a notice with the same data.
// A period without records is never opened, so nothing is emitted for it. If the
// settling input is rejected, the settlement is rolled back with it and the next
// accepted input (e.g. a tick) settles the period.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter } from "@lcore/protocol/bytes";
import { DEVICE_SUMMARY_PREIMAGE_LENGTH } from "@lcore/protocol/deviceSummaries";
import { packedDeviceSummariesRoot, unpackDeviceSummaries } from "@lcore/protocol/packedDeviceSummaries";
import { appendToFrontier, emptyFrontier, frontierRoot } from "@lcore/protocol/recordsFrontier";
import {
  MAX_LISTED_DEVICE_SUMMARIES,
  SETTLEMENT_PERIOD_SECONDS,
  encodeSettlePeriodCall,
  encodeSettlementNotice,
  settlementAddress,
  settlementPeriodOf,
} from "@lcore/protocol/settlement";
import { Rejection } from "../context/rejection.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import { stateHash } from "../state/stateHash.js";
import { pruneSettledRecords } from "./prune.js";
import { notePeriodDevices, packedPeriodDeviceSummaries } from "./periodDevices.js";
import {
  insertSettledPeriod,
  lastSettledPeriod,
  openFrontier,
  openPeriod,
  putOpenFrontier,
  putOpenPeriod,
} from "./store.js";

/** Settle the open period if this input is in a later one. Returns how many periods were settled (0 or 1). */
export function settleDuePeriods(ctx: AdvanceContext): number {
  const { store, meta } = ctx;
  const open = openPeriod(store);
  if (open.period === null || settlementPeriodOf(meta.blockTimestamp) <= open.period) return 0;

  // The state at the close of the period: what the period's last notice published.
  const closing = stateHash(store.state());
  // The tree was built as the records arrived (noteAcceptedRecords): O(log count) here.
  const root = frontierRoot(openFrontier(store), Number(open.count));
  // Completeness (PROTOCOL §9.1): what each device sent in the period, one root on chain.
  // Kept per device as the records arrived (periodDevices.ts): one row per device of the period.
  // Read packed in one query and hashed a tree level per WASM call (periodDevices.ts, packedDeviceSummaries.ts).
  const packed = packedPeriodDeviceSummaries(store, open.period);
  const devicesRoot = packedDeviceSummariesRoot(packed);
  const devices = packed.length / DEVICE_SUMMARY_PREIMAGE_LENGTH;
  const deviceCount = BigInt(devices);
  // The open period's records are the newest rows, so the records fold now ends at its last one.
  const settled = {
    period: open.period,
    firstRecord: open.firstRecord,
    recordCount: open.count,
    recordsRoot: root,
    stateHash: closing,
    settledInput: meta.inputIndex,
    recordsFold: store.state().recordsHash,
  };
  insertSettledPeriod(store, settled);
  const fold = keccak256(
    new ByteWriter(32 + 1 + 24 + 64 + 8)
      .bytes(open.fold, 32)
      .u8(0x01)
      .u64(settled.period)
      .u64(settled.firstRecord)
      .u64(settled.recordCount)
      .bytes(root, 32)
      .bytes(closing, 32)
      .u64(settled.settledInput)
      .finish(),
  );
  putOpenPeriod(store, { period: null, firstRecord: 0n, count: 0n, fold });
  // The disclosure window's cut is taken at the settled period's end, which block time had
  // reached and which only increases, not at this input's block time: a clock that later
  // goes back can never reopen a day whose pruned counts are gone (disclose.ts).
  pruneSettledRecords(store, (settled.period + 1n) * SETTLEMENT_PERIOD_SECONDS);

  ctx.out.voucher(
    settlementAddress(meta.app),
    0n,
    encodeSettlePeriodCall({
      period: settled.period,
      recordsRoot: root,
      recordCount: settled.recordCount,
      stateHash: closing,
      devicesRoot,
      deviceCount,
    }),
  );
  ctx.out.notice(
    encodeSettlementNotice({
      stateHash: closing,
      period: settled.period,
      recordsRoot: root,
      recordCount: settled.recordCount,
      firstRecord: settled.firstRecord,
      devicesRoot,
      deviceCount,
      summaries: devices <= MAX_LISTED_DEVICE_SUMMARIES ? unpackDeviceSummaries(packed) : [],
    }),
  );
  return 1;
}

/**
 * A batch accepted records firstId .. firstId + count − 1 with these record hashes (and these rows, in
 * id order): add them to this input's period, its records tree and its device summaries (call before saveState).
 */
export function noteAcceptedRecords(
  ctx: AdvanceContext,
  firstId: bigint,
  recordHashes: readonly Uint8Array[],
  rows: readonly { deviceId: bigint; address: Uint8Array; seq: bigint }[],
): void {
  const { store, meta } = ctx;
  const count = BigInt(recordHashes.length);
  const open = openPeriod(store);
  const frontier = open.period === null ? emptyFrontier() : openFrontier(store);
  const before = open.period === null ? 0 : Number(open.count);
  for (const [i, h] of recordHashes.entries()) appendToFrontier(frontier, before + i, h);
  putOpenFrontier(store, frontier);
  if (open.period === null) {
    // Never a period already settled: after a clock that went back, the one after the last settled.
    const last = lastSettledPeriod(store);
    const period = settlementPeriodOf(meta.blockTimestamp);
    putOpenPeriod(store, {
      period: last !== null && period <= last ? last + 1n : period,
      firstRecord: firstId,
      count,
      fold: open.fold,
    });
  } else {
    // The open period (settleDuePeriods ran first): this input's, or a later one if block time went back.
    if (open.firstRecord + open.count !== firstId) throw new Error("records of the open period are not contiguous");
    putOpenPeriod(store, { ...open, count: open.count + count });
  }
  notePeriodDevices(store, openPeriod(store).period!, rows);
}

/** A tick (kind 0x10): settles what is due, or is rejected with nothing_to_settle. */
export function handleSettlementTick(ctx: AdvanceContext, settledBefore: number): void {
  if (settledBefore === 0) {
    throw new Rejection(
      "nothing_to_settle",
      `no period before ${settlementPeriodOf(ctx.meta.blockTimestamp)} waits for settlement`,
    );
  }
  saveState(ctx, ctx.store.state());
}
