// Reads every output of the app in index order and keeps what settlement needs
// (PROTOCOL §9): each accepted record with the id the dApp gave it, each settled
// period with its 0x90 notice and its settlePeriod voucher, and each recordAggregate
// voucher of a disclosure (PROTOCOL §10), which the voucher executor executes too.
//
// The dApp numbers records 1, 2, … in acceptance order and lists them, in that order, in
// its records-accepted notices; a rejected input leaves no outputs. So reading every
// notice from output 0 on numbers every record, whichever relayer sent it — and a
// period's leaves are all its records, not only this gateway's. One pass (a page of
// outputs, its records, periods and the cursor) is one transaction.
//
// The same scan sees every device_revoked notice (0x83), also of revocations sent by
// another relayer: a device of this gateway it names is marked revoked in that
// transaction (devices/deviceMarks.ts). And every key_rotated notice (0x82): the owner rotated
// the device's key elsewhere, so the gateway verifies its readings against the new key
// from then on, as the dApp does, instead of taking readings the dApp would skip.

import { decodeNotice } from "@lcore/protocol/notices";
import { decodeRecordAggregateCall, decodeSettlePeriodCall, settlementAddress } from "@lcore/protocol/settlement";
import type { GatewayContext } from "../context.js";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { type Marking, writeWithMarks } from "../devices/deviceMarks.js";
import type { AggregateVoucher } from "../outbox/aggregateStore.js";
import type { ChainRecord, PeriodNotice, PeriodVoucher } from "../outbox/settlementStore.js";
import type { NodeOutput, OutputReader } from "../chain/nodeReader.js";

/** Outputs read per pass (a records notice lists at most 339 records). */
const OUTPUTS_PER_PASS = 100;

export interface ScanResult {
  records: ChainRecord[];
  notices: PeriodNotice[];
  vouchers: PeriodVoucher[];
  aggregates: AggregateVoucher[];
  /** Devices named by device_revoked notices, with the notice's output index. */
  revoked: { device: Uint8Array; noticeIndex: number }[];
  /** Key rotations (key_rotated notices) in output order: a later one of a device wins. */
  rotated: { device: Uint8Array; publicKey: Uint8Array; noticeIndex: number }[];
  nextOutput: number;
  nextRecord: bigint;
}

export class SettlementScanError extends Error {
  override name = "SettlementScanError";
}

/** The settlePeriod voucher's period, or null if `o` is not one to `settlement`. */
export function settlePeriodOf(o: NodeOutput, settlement: `0x${string}`): bigint | null {
  if (o.decoded.type !== "Voucher" || o.decoded.destination.toLowerCase() !== settlement.toLowerCase()) return null;
  return decodeSettlePeriodCall(fromHex(o.decoded.payload))?.period ?? null;
}

/** The recordAggregate voucher's device and period, or null if `o` is not one to `settlement`. */
export function aggregateOf(o: NodeOutput, settlement: `0x${string}`): AggregateVoucher | null {
  if (o.decoded.type !== "Voucher" || o.decoded.destination.toLowerCase() !== settlement.toLowerCase()) return null;
  const call = decodeRecordAggregateCall(fromHex(o.decoded.payload));
  if (call === undefined || call.period >= 1n << 32n) return null;
  return { voucherIndex: o.index, device: call.device, period: Number(call.period), voucher: fromHex(o.raw) };
}

/**
 * What a page of outputs adds, starting at the cursor. Pure: the follower writes it.
 * Throws if the page does not continue the cursor, or if a period names records the
 * notices before it did not list (the dApp's numbering and ours would disagree).
 */
export function scanOutputs(
  outputs: readonly NodeOutput[],
  cursor: { nextOutput: number; nextRecord: bigint },
  settlement: `0x${string}`,
): ScanResult {
  const out: ScanResult = {
    records: [],
    notices: [],
    vouchers: [],
    aggregates: [],
    revoked: [],
    rotated: [],
    ...cursor,
  };
  for (const o of outputs) {
    if (o.index !== out.nextOutput)
      throw new SettlementScanError(`expected output ${out.nextOutput}, the node gave ${o.index}`);
    out.nextOutput++;
    const period = settlePeriodOf(o, settlement);
    if (period !== null) {
      out.vouchers.push({ period, voucherIndex: o.index, voucher: fromHex(o.raw) });
      continue;
    }
    const aggregate = aggregateOf(o, settlement);
    if (aggregate !== null) {
      out.aggregates.push(aggregate);
      continue;
    }
    if (o.decoded.type !== "Notice") continue;
    let notice: ReturnType<typeof decodeNotice>;
    try {
      notice = decodeNotice(fromHex(o.decoded.payload));
    } catch {
      continue; // not a notice the settlement cares about
    }
    if (notice.kind === "records_accepted") {
      for (const e of notice.records) {
        out.records.push({
          recordId: out.nextRecord++,
          device: e.device,
          seq: e.seq,
          recordHash: e.recordHash,
          noticeIndex: o.index,
        });
      }
    } else if (notice.kind === "period_settled") {
      if (
        notice.recordCount < 1n ||
        notice.firstRecord < 1n ||
        notice.firstRecord + notice.recordCount > out.nextRecord
      ) {
        throw new SettlementScanError(
          `period ${notice.period} settles records ${notice.firstRecord}+${notice.recordCount}, but only ${out.nextRecord - 1n} were listed`,
        );
      }
      out.notices.push({
        period: notice.period,
        recordsRoot: notice.recordsRoot,
        recordCount: notice.recordCount,
        firstRecord: notice.firstRecord,
        stateHash: notice.stateHash,
        noticeIndex: o.index,
      });
    } else if (notice.kind === "device_revoked") {
      out.revoked.push({ device: notice.device, noticeIndex: o.index });
    } else if (notice.kind === "key_rotated") {
      out.rotated.push({ device: notice.device, publicKey: notice.newPublicKey, noticeIndex: o.index });
    }
  }
  return out;
}

/** A record's leaf index in its period's tree. */
export function leafIndex(recordId: bigint, firstRecord: bigint, recordCount: bigint): number {
  const i = recordId - firstRecord;
  if (i < 0n || i >= recordCount) throw new RangeError(`record ${recordId} is not in ${firstRecord}+${recordCount}`);
  return Number(i);
}

export class SettlementFollower {
  readonly #ctx: GatewayContext;
  readonly #reader: OutputReader;
  readonly #settlement: `0x${string}`;

  constructor(ctx: GatewayContext, reader: OutputReader) {
    this.#ctx = ctx;
    this.#reader = reader;
    this.#settlement = toHex(settlementAddress(ctx.appBytes));
  }

  /** Reads one page of outputs; returns how many. */
  async step(): Promise<number> {
    const { settlements } = this.#ctx.outbox;
    const cursor = settlements.cursor();
    const page = await this.#reader.outputs(cursor.nextOutput, OUTPUTS_PER_PASS);
    if (page.length === 0) return 0;
    const scan = scanOutputs(page, cursor, this.#settlement);
    const marks: Marking[] = [];
    for (const r of scan.revoked) {
      const state = this.#ctx.registry.get(toHex(r.device));
      if (state !== undefined) marks.push({ state, mark: { status: "revoked", reason: "device_revoked" } });
    }
    // A device whose registration the dApp rejected is someone else's on chain: its rotations are theirs.
    const rotations = scan.rotated.flatMap((r) => {
      const state = this.#ctx.registry.get(toHex(r.device));
      return state === undefined || state.chainMark?.status === "registration_rejected"
        ? []
        : [{ state, publicKey: r.publicKey }];
    });
    await writeWithMarks(
      this.#ctx,
      [
        ...scan.records.map((r) => settlements.recordStatement(r)),
        ...scan.vouchers.map((v) => settlements.voucherStatement(v)),
        ...scan.aggregates.map((a) => this.#ctx.outbox.aggregates.insertStatement(a)),
        ...scan.notices.map((n) => settlements.noticeStatement(n)),
        ...rotations.map((r) => this.#ctx.outbox.devices.keyStatement(r.state.address, r.publicKey)),
        settlements.cursorStatement(cursor.nextOutput, scan.nextOutput),
      ],
      marks,
    );
    for (const r of rotations) this.#ctx.registry.rotated(r.state, r.publicKey);
    return page.length;
  }
}
