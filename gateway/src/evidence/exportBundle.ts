// Builds an evidence bundle (docs/EVIDENCE.md) from the outbox: for each device, its
// registration input, and every accepted reading in the asked range — in plaintext, opened
// with the owner key — with its record hash, inclusion proof, settlement period and the
// input that carried it; for each period, the device's summary with its proof against the
// period's devices root (PROTOCOL §9.1), rebuilt from the settlement follower's copy of the
// chain's records. A complete bundle widens the range to whole settlement periods, so that
// every reading a period commits for the device is in it; a subset (selective delivery)
// holds only the seqs asked for. Nothing outside the bundle's readings is opened: the
// other records appear only as their public hashes (proof siblings), which the chain holds.

import { sha256 } from "@lcore/wasm-core";
import { equalBytes, fromHex } from "@lcore/protocol/bytes";
import { deviceSummariesTree, summarizeDevices } from "@lcore/protocol/deviceSummaries";
import { decodeInput } from "@lcore/protocol/input";
import {
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceDevice,
  type EvidencePeriod,
} from "@lcore/protocol/evidenceBundle";
import { recordsTree } from "@lcore/protocol/recordsTree";
import type { GatewayContext } from "../context.js";
import { GatewayError } from "../http/errors.js";
import { EvidenceReads } from "../outbox/evidenceReads.js";
import type { ReadingRow } from "../outbox/readingStore.js";
import type { PeriodRow } from "../outbox/settlementStore.js";

/** Readings in one export at most (a device-month of minute readings is 44,640). */
export const MAX_EXPORT_READINGS = 50_000;
const PAGE = 1_000;

export interface ExportRequest {
  devices: string[];
  /** Device time, seconds, inclusive. */
  from: bigint;
  to: bigint;
  /** Selective delivery: only these seqs (of every device asked); absent: every reading of the periods touched. */
  seqs?: bigint[];
}

/** A settled period with everything its evidence needs. */
interface SettledPeriod {
  row: PeriodRow & { recordsRoot: Uint8Array; recordCount: bigint; firstRecord: bigint; executedTx: Uint8Array };
  tree: ReturnType<typeof recordsTree>;
  records: { device: Uint8Array; seq: bigint }[];
}

export function exportEvidence(ctx: GatewayContext, req: ExportRequest): EvidenceBundle {
  const reads = new EvidenceReads(ctx.outbox.db);
  const periods = new Map<bigint, SettledPeriod>();
  const budget = { readings: MAX_EXPORT_READINGS };
  const devices = req.devices.map((hex) => exportDevice(ctx, reads, periods, hex, req, budget));
  if (devices.every((d) => d.readings.length === 0)) throw new GatewayError("LCORE_GW_EVIDENCE_EMPTY");
  return {
    format: EVIDENCE_FORMAT,
    chainId: ctx.chainId,
    application: ctx.appBytes,
    selection: req.seqs === undefined ? "complete" : "subset",
    devices: devices.filter((d) => d.readings.length > 0),
  };
}

function exportDevice(
  ctx: GatewayContext,
  reads: EvidenceReads,
  periods: Map<bigint, SettledPeriod>,
  hex: string,
  req: ExportRequest,
  budget: { readings: number },
): EvidenceDevice {
  const d = ctx.registry.get(hex.toLowerCase());
  if (d === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN");
  const reg = ctx.outbox.inputs.get(d.inputId);
  if (reg?.inputIndex == null || reg.blockNumber == null)
    throw new GatewayError("LCORE_GW_EVIDENCE_NOT_SETTLED", `the registration of ${hex} is not on chain yet`);
  // The key the registration input carries (the registry holds the current one, after any rotation).
  const registered = decodeInput(reg.payload);
  if (registered.kind !== "device_registration")
    throw new GatewayError("LCORE_GW_INTERNAL", `the registration input of ${hex} is a ${registered.kind}`);

  // The device's accepted readings in the range, and their settled periods.
  const wanted = req.seqs === undefined ? null : new Set(req.seqs);
  const picked = new Map<bigint, ReadingRow>();
  for (let from = 0n; ; ) {
    const page = ctx.outbox.readings.page(d.address, from, PAGE);
    for (const r of page) {
      if (r.outcome !== "accepted" || r.timestamp < req.from || r.timestamp > req.to) continue;
      if (wanted !== null && !wanted.has(r.seq)) continue;
      picked.set(r.seq, r);
    }
    if (page.length < PAGE) break;
    from = page[page.length - 1]!.seq + 1n;
  }
  const devicePeriods = new Map<bigint, SettledPeriod>();
  for (const r of picked.values()) {
    const p = settledPeriodOf(ctx, reads, periods, d.address, r.seq);
    devicePeriods.set(p.row.period, p);
  }
  // A complete bundle holds every reading each of its periods commits for the device.
  if (wanted === null) {
    for (const p of devicePeriods.values()) {
      for (const rec of p.records) {
        if (!equalBytes(rec.device, d.address) || picked.has(rec.seq)) continue;
        const row = ctx.outbox.readings.get(d.address, rec.seq);
        if (row === undefined)
          throw new GatewayError(
            "LCORE_GW_EVIDENCE_NOT_SETTLED",
            `seq ${rec.seq} of ${hex} was relayed by another gateway`,
          );
        picked.set(rec.seq, row);
      }
    }
  }
  budget.readings -= picked.size;
  if (budget.readings < 0) throw new GatewayError("LCORE_GW_EVIDENCE_TOO_LARGE");

  const sorted = [...picked.values()].sort((a, b) => (a.seq < b.seq ? -1 : 1));
  return {
    device: d.address,
    registration: {
      inputIndex: BigInt(reg.inputIndex),
      inputBlock: BigInt(reg.blockNumber),
      publicKey: registered.publicKey,
      owner: fromHex(ctx.owner),
    },
    periods: [...devicePeriods.values()]
      .sort((a, b) => (a.row.period < b.row.period ? -1 : 1))
      .map((p) => periodEvidence(p, d.address)),
    readings: sorted.map((r) => readingEvidence(ctx, r, periods)),
  };
}

/** The settled period of an accepted reading, built once per export. */
function settledPeriodOf(
  ctx: GatewayContext,
  reads: EvidenceReads,
  periods: Map<bigint, SettledPeriod>,
  device: Uint8Array,
  seq: bigint,
): SettledPeriod {
  const place = ctx.outbox.settlements.place(device, seq);
  const row = place?.period;
  if (
    row == null ||
    row.recordsRoot === null ||
    row.recordCount === null ||
    row.firstRecord === null ||
    row.executedTx === null
  )
    throw new GatewayError("LCORE_GW_EVIDENCE_NOT_SETTLED", `seq ${seq} is not settled with a known transaction`);
  const known = periods.get(row.period);
  if (known !== undefined) return known;
  const leaves = ctx.outbox.settlements.leaves(row.firstRecord, row.recordCount);
  const tree = recordsTree(leaves);
  if (leaves.length !== Number(row.recordCount) || !equalBytes(tree.root, row.recordsRoot))
    throw new GatewayError("LCORE_GW_INTERNAL", `the records of period ${row.period} do not reproduce its root`);
  const p: SettledPeriod = {
    row: row as SettledPeriod["row"],
    tree,
    records: reads.periodRecords(row.firstRecord, row.recordCount),
  };
  periods.set(row.period, p);
  return p;
}

function periodEvidence(p: SettledPeriod, device: Uint8Array): EvidencePeriod {
  const summaries = summarizeDevices(p.records);
  const tree = deviceSummariesTree(summaries);
  const index = summaries.findIndex((s) => equalBytes(s.device, device));
  const s = summaries[index]!;
  return {
    period: p.row.period,
    recordsRoot: p.row.recordsRoot,
    recordCount: p.row.recordCount,
    devicesRoot: tree.root,
    deviceCount: BigInt(summaries.length),
    settlementTx: p.row.executedTx,
    summary: { count: s.count, firstSeq: s.firstSeq, lastSeq: s.lastSeq, index, proof: tree.proof(index) },
  };
}

function readingEvidence(ctx: GatewayContext, r: ReadingRow, periods: Map<bigint, SettledPeriod>) {
  const place = ctx.outbox.settlements.place(r.device, r.seq)!;
  const p = periods.get(place.period!.period)!;
  const body = ctx.sealer.open({
    device: r.device,
    seq: r.seq,
    timestamp: r.timestamp,
    digest: r.digest,
    sealed: r.sealed,
  });
  // The outbox is trusted storage, but a plaintext that does not match its signed hash is never handed out as evidence.
  if (!equalBytes(sha256(body), r.bodyHash))
    throw new GatewayError("LCORE_GW_INTERNAL", "a stored record does not match its body hash");
  const index = Number(place.recordId - p.row.firstRecord);
  if (r.inputIndex === null || r.blockNumber === null)
    throw new GatewayError("LCORE_GW_EVIDENCE_NOT_SETTLED", `seq ${r.seq} has no input on chain`);
  return {
    format: "lcore-v1",
    seq: r.seq,
    timestamp: r.timestamp,
    plaintext: body,
    bodyHash: r.bodyHash,
    signature: r.signature,
    recordHash: place.recordHash,
    period: p.row.period,
    index,
    proof: p.tree.proof(index),
    inputIndex: BigInt(r.inputIndex),
    inputBlock: BigInt(r.blockNumber),
  };
}
