// Inspect: read-only answers as one JSON report of at most MAX_INSPECT_REPORT_BYTES.
// Runs outside any savepoint and writes nothing.

import { MAX_INSPECT_REPORT_BYTES } from "@lcore/protocol/bounds";
import { toHex } from "@lcore/protocol/bytes";
import {
  type Counters, type DeviceInfo, type InspectQuery, InspectQueryError, type RecordInfo, type RecordsPage,
  type RecordsQuery, type StateHashInfo, decodeInspectQuery, parseStoredU64,
} from "@lcore/protocol/inspect";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { type BalancesInfo, type BountyInfo, MAX_BALANCES_LISTED, type SettledPeriodInfo, type SubmittersInfo } from "@lcore/protocol/inspect";
import { BOUNTY_OPEN, BOUNTY_PAID, balancesOf, bountyById } from "../wallet/store.js";
import { submittersOf } from "../submitters/store.js";
import { DEVICE_ACTIVE, deviceByAddress, lastSeq, prunedMaxSeq, recordCount } from "../devices/store.js";
import { type RecordRow, recordBySeq, recordsBySeq, recordsByTime } from "../records/store.js";
import { stateHash } from "../state/stateHash.js";
import { pruneState } from "../settlement/prune.js";
import { settledPeriod, settledPeriodOfRecord } from "../settlement/store.js";
import type { Store } from "../state/store.js";

export type InspectAnswer = { ok: true; body: object } | { ok: false; body: { error: string; detail: string } };

export function inspect(store: Store, payload: Uint8Array): InspectAnswer {
  try {
    return { ok: true, body: answer(store, decodeInspectQuery(payload)) };
  } catch (e) {
    if (e instanceof InspectQueryError) return { ok: false, body: { error: e.code, detail: e.detail } };
    throw e;
  }
}

function answer(store: Store, q: InspectQuery): object {
  switch (q.kind) {
    case "state_hash": {
      const s = store.state();
      const info: StateHashInfo = {
        stateHash: toHex(stateHash(s)), devicesHash: toHex(s.devicesHash), recordsHash: toHex(s.recordsHash),
        devices: s.devices.toString(), records: s.records.toString(),
        walletHash: s.walletHash == null ? null : toHex(s.walletHash),
        submittersHash: s.submittersHash == null ? null : toHex(s.submittersHash),
      };
      return info;
    }
    case "counters": {
      const s = store.state();
      const c: Counters = {
        devices: s.devices.toString(),
        activeDevices: (s.devices - s.revokedDevices).toString(),
        revokedDevices: s.revokedDevices.toString(),
        records: s.records.toString(),
        batches: s.batches.toString(),
        skippedRecords: s.skippedRecords.toString(),
        lastInputIndex: s.lastInputIndex === null ? null : s.lastInputIndex.toString(),
      };
      return c;
    }
    case "device": {
      const d = found(deviceByAddress(store, q.device), "device");
      const last = lastSeq(store, d.id);
      const info: DeviceInfo = {
        device: toHex(d.address), owner: toHex(d.owner), publicKey: toHex(d.publicKey), metadata: toHex(d.metadata),
        status: d.status === DEVICE_ACTIVE ? "active" : "revoked", nonce: d.nonce.toString(),
        registeredInput: d.registeredInput.toString(), registeredAt: d.registeredAt.toString(),
        updatedInput: d.updatedInput.toString(), lastSeq: last === null ? null : last.toString(),
        records: recordCount(store, d.id).toString(),
      };
      return info;
    }
    case "record": {
      const d = found(deviceByAddress(store, q.device), "device");
      const r = recordBySeq(store, d.id, q.seq);
      if (r === null) {
        // Not silence: a pruned record existed, and the chain still has it (PROTOCOL §11).
        const prunedMax = prunedMaxSeq(store, d.id);
        if (prunedMax !== null && q.seq <= prunedMax) {
          const { prunedThrough } = pruneState(store);
          const last = settledPeriodOfRecord(store, prunedThrough);
          throw new InspectQueryError(
            "pruned",
            `seq ${q.seq} ≤ ${prunedMax}, the device's highest pruned seq: records 1..${prunedThrough} (settled periods through ${last?.period ?? "?"}, `
              + `whose roots stay in the state) left it; read the record from the chain inputs (lcore replay, the gateway)`,
          );
        }
      }
      return recordInfo(d.address, found(r, "record"));
    }
    case "records":
      return recordsPage(store, q);
    case "submitters": {
      const info: SubmittersInfo = {
        owner: toHex(q.owner),
        submitters: submittersOf(store, q.owner).map((r) => ({ submitter: toHex(r.submitter), grantedInput: r.grantedInput.toString() })),
      };
      return info;
    }
    case "balances": {
      const info: BalancesInfo = { owner: toHex(q.owner), balances: [], truncated: false };
      balancesOf(store, q.owner, (asset, amount) => {
        if (info.balances.length < MAX_BALANCES_LISTED) info.balances.push({ asset: toHex(asset), amount: amount.toString() });
        else info.truncated = true;
      });
      return info;
    }
    case "period": {
      const p = found(settledPeriod(store, q.period), "settled period");
      const info: SettledPeriodInfo = {
        period: p.period.toString(), firstRecord: p.firstRecord.toString(), recordCount: p.recordCount.toString(),
        recordsRoot: toHex(p.recordsRoot), stateHash: toHex(p.stateHash), settledInput: p.settledInput.toString(),
        pruned: p.firstRecord + p.recordCount - 1n <= pruneState(store).prunedThrough,
      };
      return info;
    }
    case "bounty": {
      const b = found(bountyById(store, q.id), "bounty");
      const info: BountyInfo = {
        id: b.id.toString(), requester: toHex(b.requester), asset: toHex(b.asset), amount: b.amount.toString(), tier: b.tier,
        elements: b.elements.map((e) => e.toString()), target: b.target.toString(), deadline: b.deadline.toString(),
        status: b.status === BOUNTY_OPEN ? "open" : b.status === BOUNTY_PAID ? "paid" : "refunded",
        solver: b.solver === null ? null : toHex(b.solver), openedInput: b.openedInput.toString(),
        closedInput: b.closedInput === null ? null : b.closedInput.toString(),
      };
      return info;
    }
  }
}

function found<T>(v: T | null, what: string): T {
  if (v === null) throw new InspectQueryError("not_found", `no such ${what}`);
  return v;
}

function recordInfo(address: Uint8Array, r: RecordRow): RecordInfo {
  const wire = { device: address, seq: r.seq, timestamp: r.timestamp, bodyHash: r.bodyHash, signature: r.signature, sealed: r.sealed };
  return {
    device: toHex(address), seq: r.seq.toString(), timestamp: r.timestamp.toString(), bodyHash: toHex(r.bodyHash),
    signature: toHex(r.signature), sealed: toHex(r.sealed), recordHash: toHex(recordHash(encodeRecord(wire))),
    inputIndex: r.inputIndex.toString(),
  };
}

/** Cursors: "<seq>" for by=seq, "<timestamp>-<seq>" for by=time: the last record returned. */
function parseCursor(q: RecordsQuery): bigint | [bigint, bigint] | null {
  if (q.cursor === undefined) return null;
  const parts = q.cursor.split("-");
  const nums = parts.map(parseStoredU64);
  if (q.by === "seq" && parts.length === 1 && nums[0] != null) return nums[0];
  if (q.by === "time" && parts.length === 2 && nums[0] != null && nums[1] != null) return [nums[0], nums[1]];
  throw new InspectQueryError("bad_query", `cursor does not belong to a by=${q.by} page`);
}

function recordsPage(store: Store, q: RecordsQuery): RecordsPage {
  const d = found(deviceByAddress(store, q.device), "device");
  const after = parseCursor(q);
  const rows: RecordRow[] = [];
  // One row more than the limit tells whether another page follows.
  if (q.by === "seq") {
    recordsBySeq(store, d.id, q.from, q.to, after as bigint | null, q.limit + 1, (r) => rows.push(r));
  } else {
    recordsByTime(store, d.id, q.from, q.to, after as [bigint, bigint] | null, q.limit + 1, (r) => rows.push(r));
  }
  const page: RecordsPage = { device: toHex(d.address), by: q.by, records: [], nextCursor: null };
  // The envelope with a cursor of the longest form, so the bound holds once the cursor is set.
  let size = JSON.stringify({ ...page, nextCursor: "9".repeat(39) }).length;
  let more = rows.length > q.limit;
  for (let i = 0; i < Math.min(rows.length, q.limit); i++) {
    const info = recordInfo(d.address, rows[i]!);
    const n = JSON.stringify(info).length + 1;
    if (size + n > MAX_INSPECT_REPORT_BYTES) {
      more = true;
      break;
    }
    size += n;
    page.records.push(info);
  }
  const last = page.records.length > 0 ? page.records[page.records.length - 1]! : null;
  if (more && last !== null) page.nextCursor = q.by === "seq" ? last.seq : `${last.timestamp}-${last.seq}`;
  return page;
}
