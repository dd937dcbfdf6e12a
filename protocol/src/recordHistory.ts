// Records rebuilt from the chain (PROTOCOL §11): the machine prunes settled records, the
// chain keeps them. Fed every accepted input's payload and notices in input order (from
// the InputBox and the node's outputs, or from a replayed dApp: `lcore replay`), this
// index knows every accepted record's wire bytes, its id, and once its period is settled,
// the settled period and leaf index — so it answers a pruned record and builds the
// entries of a disclosure of pruned records (0x12) with their proofs. Off-chain only: it
// holds the whole history in memory.

import { keccak256 } from "@lcore/wasm-core";
import { DISCLOSURE_PERIOD_SECONDS } from "./bounds.js";
import { ByteReader, equalBytes, toHex } from "./bytes.js";
import { InputKind, NoticeKind } from "./kinds.js";
import { type DecodedRecord, readRecordBatch } from "./recordBatch.js";
import { decodeNotice } from "./notices.js";
import type { PrunedEntry } from "./prunedDisclosure.js";
import { periodsToPrune } from "./pruneRule.js";
import { recordsTree } from "./recordsTree.js";
import { decodeSettlementNotice } from "./settlement.js";

export interface HistoricRecord {
  /** Acceptance order from 1, the dApp's record id. */
  id: bigint;
  inputIndex: bigint;
  record: DecodedRecord;
  recordHash: Uint8Array;
  /** Set once the record's settlement period is settled. */
  settlementPeriod: bigint | null;
  leafIndex: number | null;
}

export class RecordHistory {
  private readonly byId: HistoricRecord[] = [];
  private readonly byDeviceSeq = new Map<string, HistoricRecord>();
  private readonly periods = new Map<bigint, { first: bigint; count: bigint }>();
  /** Settled periods whose records the dApp still keeps, oldest first (the same rule, protocol/pruneRule.ts). */
  private kept: { first: bigint; recordCount: bigint }[] = [];
  /** The dApp's prune point: records with id ≤ it are no longer in the machine's state. */
  prunedThrough = 0n;

  /** An accepted input: its payload and its notices in emission order. */
  add(inputIndex: bigint, payload: Uint8Array, notices: readonly Uint8Array[]): void {
    // A settlement comes before the input's own content (PROTOCOL §9).
    for (const n of notices) {
      if (n[0] !== NoticeKind.PeriodSettled) continue;
      const s = decodeSettlementNotice(n);
      this.periods.set(s.period, { first: s.firstRecord, count: s.recordCount });
      for (let i = 0n; i < s.recordCount; i++) {
        const h = this.byId[Number(s.firstRecord + i - 1n)];
        if (h === undefined)
          throw new Error(`settled period ${s.period} names record ${s.firstRecord + i}, not in the history`);
        h.settlementPeriod = s.period;
        h.leafIndex = Number(i);
      }
      this.kept.push({ first: s.firstRecord, recordCount: s.recordCount });
      const gone = periodsToPrune(this.kept);
      if (gone.length > 0) {
        const last = gone[gone.length - 1]!;
        this.prunedThrough = last.first + last.recordCount - 1n;
        this.kept = this.kept.slice(gone.length);
      }
    }
    if (payload[0] !== InputKind.RecordBatch) return;
    const accepted = notices
      .map((n) => (n[0] === NoticeKind.RecordsAccepted ? decodeNotice(n) : null))
      .find((n) => n !== null);
    if (accepted == null || accepted.kind !== "records_accepted") return;
    const r = new ByteReader(payload);
    r.u8("kind");
    r.u8("version");
    const wire = readRecordBatch(r).records;
    // The notice lists the accepted records in acceptance order; match each by its hash (a
    // skipped record can share a (device, seq) with an accepted one, never a hash).
    let k = 0;
    for (const a of accepted.records) {
      while (k < wire.length && !equalBytes(keccakOf(wire[k]!), a.recordHash)) k++;
      if (k === wire.length)
        throw new Error(`input ${inputIndex}: accepted record ${toHex(a.recordHash)} is not in its payload`);
      const h: HistoricRecord = {
        id: BigInt(this.byId.length + 1),
        inputIndex,
        record: wire[k]!,
        recordHash: a.recordHash,
        settlementPeriod: null,
        leafIndex: null,
      };
      this.byId.push(h);
      this.byDeviceSeq.set(`${toHex(a.device)}/${a.seq}`, h);
      k++;
    }
  }

  get size(): number {
    return this.byId.length;
  }

  record(device: Uint8Array, seq: bigint): HistoricRecord | null {
    return this.byDeviceSeq.get(`${toHex(device)}/${seq}`) ?? null;
  }

  /**
   * The entries of a 0x12 disclosure: the device's records of disclosure day `day` with id
   * ≤ prunedThrough (the dApp's prune point), in seq order, each with its proof.
   */
  prunedEntries(device: Uint8Array, day: bigint, prunedThrough = this.prunedThrough): PrunedEntry[] {
    const trees = new Map<bigint, ReturnType<typeof recordsTree>>();
    const out: PrunedEntry[] = [];
    for (const h of this.byId) {
      if (h.id > prunedThrough) break;
      if (!equalBytes(h.record.device, device) || h.record.timestamp / DISCLOSURE_PERIOD_SECONDS !== day) continue;
      if (h.settlementPeriod === null || h.leafIndex === null)
        throw new Error(`record ${h.id} is pruned but its period is not settled in the history`);
      let tree = trees.get(h.settlementPeriod);
      if (tree === undefined) {
        const p = this.periods.get(h.settlementPeriod)!;
        tree = recordsTree(
          this.byId.slice(Number(p.first - 1n), Number(p.first - 1n + p.count)).map((x) => x.recordHash),
        );
        trees.set(h.settlementPeriod, tree);
      }
      out.push({
        settlementPeriod: h.settlementPeriod,
        leafIndex: h.leafIndex,
        proof: tree.proof(h.leafIndex),
        record: h.record,
      });
    }
    return out;
  }
}

function keccakOf(r: DecodedRecord): Uint8Array {
  return keccak256(r.bytes);
}
