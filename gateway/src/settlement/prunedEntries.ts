// Which of a device-day's records the dApp has pruned, and the 0x12 entries that carry
// them (PROTOCOL §11.1), from what the gateway already keeps: its own readings (the
// sealed bytes it sent) and the settlement follower's copy of the chain (every accepted
// record's id and hash, every settled period). The prune point is the dApp's own rule
// (@lcore/protocol/pruneRule) applied to the settled periods the follower has read; each
// entry's proof comes from its period's records tree, rebuilt from the follower's record
// hashes and checked against the period's settled root before anything is sent.
//
// The follower's view can only lag the dApp's: a record it does not yet see pruned may be
// pruned by the time the input is processed. The dApp then refuses a 0x11 with
// period_pruned, or keeps a 0x12 under way (a disclosure_part report); asking again sends
// 0x12, or the parts that continue it (disclosures/disclosures.ts).

import type { PrunedEntry } from "@lcore/protocol/prunedDisclosure";
import { prunePoint } from "@lcore/protocol/pruneRule";
import { type WireRecord, encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { type RecordsTree, recordsTree } from "@lcore/protocol/recordsTree";
import { GatewayError } from "../http/errors.js";
import { equalBytes } from "@lcore/protocol/bytes";
import type { Outbox } from "../outbox/outbox.js";
import type { SettledPeriod } from "../outbox/settlementStore.js";

export interface PrunedRecords {
  /** The dApp's prune point as the follower sees it: records with id ≤ it left the state. */
  prunedThrough: bigint;
  /** The device's records with from ≤ timestamp ≤ to and id ≤ prunedThrough, in seq order. */
  entries: PrunedEntry<WireRecord>[];
}

/** The period holding record `id`: the last settled period whose first record is ≤ id (periods hold consecutive ids). */
function periodOfRecord(settled: readonly SettledPeriod[], id: bigint): SettledPeriod | undefined {
  let lo = 0;
  let hi = settled.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (settled[mid]!.firstRecord <= id) lo = mid;
    else hi = mid - 1;
  }
  const p = settled[lo];
  return p !== undefined && p.firstRecord <= id && id < p.firstRecord + p.recordCount ? p : undefined;
}

export function prunedRecords(outbox: Outbox, device: Uint8Array, from: bigint, to: bigint): PrunedRecords {
  const settled = outbox.settlements.settledPeriods();
  const prunedThrough = prunePoint(settled);
  if (prunedThrough === 0n) return { prunedThrough, entries: [] };
  const trees = new Map<bigint, RecordsTree>();
  const entries: PrunedEntry<WireRecord>[] = [];
  for (const r of outbox.disclosures.chainReadingsIn(device, Number(from), Number(to), prunedThrough)) {
    const record: WireRecord = {
      device: r.device,
      seq: r.seq,
      timestamp: r.timestamp,
      bodyHash: r.bodyHash,
      signature: r.signature,
      sealed: r.sealed,
    };
    const p = periodOfRecord(settled, r.recordId);
    // The follower's copy must reproduce the chain's: anything else is the gateway's bug, and nothing is sent.
    if (p === undefined)
      throw new GatewayError(
        "LCORE_GW_INTERNAL",
        `pruned record ${r.recordId} is in no settled period the gateway read`,
      );
    if (!equalBytes(recordHash(encodeRecord(record)), r.recordHash)) {
      throw new GatewayError("LCORE_GW_INTERNAL", `record ${r.recordId} on chain is not the reading the gateway sent`);
    }
    let tree = trees.get(p.period);
    if (tree === undefined) {
      const leaves = outbox.settlements.leaves(p.firstRecord, p.recordCount);
      if (leaves.length !== Number(p.recordCount))
        throw new GatewayError("LCORE_GW_INTERNAL", `the gateway lacks records of period ${p.period}`);
      tree = recordsTree(leaves);
      if (!equalBytes(tree.root, p.recordsRoot))
        throw new GatewayError("LCORE_GW_INTERNAL", `the records of period ${p.period} do not reproduce its root`);
      trees.set(p.period, tree);
    }
    const leafIndex = Number(r.recordId - p.firstRecord);
    entries.push({ settlementPeriod: p.period, leafIndex, proof: tree.proof(leafIndex), record });
  }
  return { prunedThrough, entries };
}
