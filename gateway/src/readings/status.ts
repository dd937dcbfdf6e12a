// Where a reading (or a registration) is on its way to the dApp, derived from the
// outbox: the reading's row, its input's row, and the transactions sent for it.
//
//   queued     in the outbox, not yet in an input, or in one whose transaction is not sent yet
//   submitted  a transaction carrying it was sent (txHash: the latest one sent)
//   included   that transaction was mined: the InputAdded log gave its input index
//   processed  the node ran the input; the gateway has not read the record's verdict yet
//   accepted   listed in the dApp's records-accepted notice (noticeIndex: that output)
//   rejected   skipped by the dApp, or its whole input rejected (reason: the dApp's); or withdrawn
//              while queued because the chain refuses its device (no input; reason
//              registration_rejected:<the dApp's reason> or device_revoked: devices/deviceMarks.ts)
//   settled    accepted, and its settlement period's voucher executed on chain (period, settlementTxHash)
//
// `final` says whether the status can still change: true once the input's block is at or below
// the chain's finalized block (chain/inclusionWatch.ts), and for a reading withdrawn unsent.
// Until then a reorganisation can take the input back: an `accepted` or `included` reading
// then returns to `submitted` (its transaction is sent again) and moves on from there.

import { toHex } from "@lcore/protocol/bytes";
import type { InputRow } from "../outbox/inputStore.js";
import type { ReadingRow, SealedReading } from "../outbox/readingStore.js";
import type { RecordPlace, SettlementStore } from "../outbox/settlementStore.js";
import type { Receipt } from "../http/schemas.js";

export type StatusName = "queued" | "submitted" | "included" | "processed" | "accepted" | "rejected" | "settled";

export interface Progress {
  status: StatusName;
  /** The status can no longer change by the chain's doing: the input's block is finalized (or nothing was sent). */
  final: boolean;
  txHash?: `0x${string}`;
  blockNumber?: number;
  inputIndex?: number;
  noticeIndex?: number;
  reason?: string;
  period?: string;
  settlementTxHash?: `0x${string}`;
}

/** Status of something carried by an input, from that input's columns (and the record's verdict, for readings). */
export function progressOf(row: {
  inputId: number | null;
  txHash: Uint8Array | null;
  sentTxHash: Uint8Array | null;
  blockNumber: number | null;
  inputIndex: number | null;
  finalMs?: number | null;
  nodeStatus: string | null;
  outcome?: "accepted" | "rejected" | null;
  reason?: string | null;
  noticeIndex?: number | null;
}): Progress {
  const p: Progress = { status: "queued", final: false };
  if (row.inputId === null) {
    // Withdrawn before it was packed: final, with the gateway's reason.
    if (row.outcome === "rejected")
      return {
        status: "rejected",
        final: true,
        ...(row.reason === undefined || row.reason === null ? {} : { reason: row.reason }),
      };
    return p;
  }
  const tx = row.txHash ?? row.sentTxHash;
  if (tx !== null) {
    p.status = "submitted";
    p.txHash = toHex(tx);
  }
  if (row.inputIndex !== null) {
    p.status = "included";
    p.inputIndex = row.inputIndex;
    if (row.blockNumber !== null) p.blockNumber = row.blockNumber;
    p.final = row.finalMs !== undefined && row.finalMs !== null;
  }
  if (row.nodeStatus !== null) p.status = "processed";
  if (row.outcome === "accepted" || row.outcome === "rejected") {
    p.status = row.outcome;
    if (row.noticeIndex !== undefined && row.noticeIndex !== null) p.noticeIndex = row.noticeIndex;
    if (row.reason !== undefined && row.reason !== null) p.reason = row.reason;
  }
  return p;
}

/** An accepted reading becomes `settled` once the period holding its record has its voucher executed. */
export function settledProgress(p: Progress, place: RecordPlace | undefined): Progress {
  const period = place?.period;
  if (p.status !== "accepted" || period === null || period === undefined || period.executedMs === null) return p;
  return {
    ...p,
    status: "settled",
    period: period.period.toString(),
    ...(period.executedTx === null ? {} : { settlementTxHash: toHex(period.executedTx) }),
  };
}

/** A stored reading's progress, `settled` included (looked up only once it is accepted). */
export function readingProgress(row: ReadingRow, settlements: SettlementStore): Progress {
  const p = progressOf(row);
  return p.status === "accepted" ? settledProgress(p, settlements.place(row.device, row.seq)) : p;
}

export function statusUrl(device: Uint8Array, seq: bigint): string {
  return `/v1/readings/${toHex(device)}/${seq}`;
}

/** The 202 answer for a stored reading: enough to find it again and to match it on chain. */
export function receiptOf(r: SealedReading | ReadingRow, status?: StatusName): Receipt {
  return {
    device: toHex(r.device),
    seq: r.seq.toString(),
    digest: toHex(r.digest),
    status: status ?? ("id" in r ? progressOf(r).status : "queued"),
    receivedAt: new Date(r.receivedMs).toISOString(),
    statusUrl: statusUrl(r.device, r.seq),
  };
}

/** Where one input of the gateway's own (a registration, a device operation) is, with the dApp's verdict once known. */
export function inputProgress(input: InputRow): Progress {
  return progressOf({
    inputId: input.id,
    txHash: input.txHash,
    sentTxHash: input.sentTxHash,
    blockNumber: input.blockNumber,
    inputIndex: input.inputIndex,
    finalMs: input.finalMs,
    nodeStatus: input.nodeStatus,
    outcome: input.nodeStatus === null ? null : input.nodeStatus === "ACCEPTED" ? "accepted" : "rejected",
    reason:
      input.reason ??
      (input.nodeStatus !== null && input.nodeStatus !== "ACCEPTED" ? input.nodeStatus.toLowerCase() : null),
  });
}
