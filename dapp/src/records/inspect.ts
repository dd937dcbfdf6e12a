// Inspect `record/<address>/<seq>` and `records/<address>?…` (PROTOCOL §4.3): one record, or a
// page of a device's records by seq or by time, as it is stored; a pruned record is
// answered `pruned` (PROTOCOL §11), not `not_found`.

import { MAX_INSPECT_REPORT_BYTES } from "@lcore/protocol/bounds";
import { toHex } from "@lcore/protocol/bytes";
import {
  InspectQueryError,
  type RecordInfo,
  type RecordsPage,
  type RecordsQuery,
  parseStoredU64,
} from "@lcore/protocol/inspect";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { found } from "../context/inspect.js";
import { deviceByAddress, prunedMaxSeq } from "../devices/store.js";
import { pruneState } from "../settlement/prune.js";
import { settledPeriodOfRecord } from "../settlement/store.js";
import type { Store } from "../state/store.js";
import { type RecordRow, recordBySeq, recordsBySeq, recordsByTime } from "./store.js";

export function answerRecord(store: Store, device: Uint8Array, seq: bigint): RecordInfo {
  const d = found(deviceByAddress(store, device), "device");
  const r = recordBySeq(store, d.id, seq);
  if (r === null) {
    // Not silence: a pruned record existed, and the chain still has it (PROTOCOL §11).
    const prunedMax = prunedMaxSeq(store, d.id);
    if (prunedMax !== null && seq <= prunedMax) {
      const { prunedThrough } = pruneState(store);
      const last = settledPeriodOfRecord(store, prunedThrough);
      throw new InspectQueryError(
        "pruned",
        `seq ${seq} ≤ ${prunedMax}, the device's highest pruned seq: records 1..${prunedThrough} (settled periods through ${last?.period ?? "?"}, ` +
          `whose roots stay in the state) left it; read the record from the chain inputs (lcore replay, the gateway)`,
      );
    }
  }
  return recordInfo(d.address, found(r, "record"));
}

function recordInfo(address: Uint8Array, r: RecordRow): RecordInfo {
  const wire = {
    device: address,
    seq: r.seq,
    timestamp: r.timestamp,
    bodyHash: r.bodyHash,
    signature: r.signature,
    sealed: r.sealed,
  };
  return {
    device: toHex(address),
    seq: r.seq.toString(),
    timestamp: r.timestamp.toString(),
    bodyHash: toHex(r.bodyHash),
    signature: toHex(r.signature),
    sealed: toHex(r.sealed),
    recordHash: toHex(recordHash(encodeRecord(wire))),
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

export function answerRecords(store: Store, q: RecordsQuery): RecordsPage {
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
