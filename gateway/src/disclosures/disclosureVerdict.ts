// The dApp's answer to a disclosure input (PROTOCOL §10, §11.1): when it accepted the
// input, its 0x91 notice for that device and period gives the verified aggregate — the
// key disclosure's only input, or the last part of a pruned day's (earlier parts only
// report how far they got). The follower writes it with the input's verdict, on the
// disclosure's row. Of a rejection the follower already records the dApp's reason on the
// input; when one record was the cause (it did not open, or its body did not match), the
// rejection report names it and that record is kept here too, so the owner learns which.

import { decodeNotice } from "@lcore/protocol/notices";
import { parseReport } from "@lcore/protocol/reports";
import { equalBytes, fromHex } from "@lcore/protocol/bytes";
import type { Outbox } from "../outbox/outbox.js";
import type { FailedRecord } from "../outbox/disclosureStore.js";
import type { InputState } from "../outbox/inputStore.js";
import type { Statement } from "../outbox/writer.js";
import type { NodeInput } from "../chain/nodeReader.js";

export function disclosureStatements(outbox: Outbox, input: InputState, node: NodeInput): Statement[] {
  if (input.kind !== "disclosure") return [];
  const d = outbox.disclosures.ofInput(input.id);
  if (d === undefined) return [];
  if (node.status !== "ACCEPTED") {
    const failed = failedRecordOf(node);
    return failed === null ? [] : [outbox.disclosures.failedRecordStatement(d.inputId, failed)];
  }
  for (const n of node.notices) {
    let notice: ReturnType<typeof decodeNotice>;
    try {
      notice = decodeNotice(fromHex(n.payload));
    } catch {
      continue; // not one of the dApp's notices
    }
    if (notice.kind !== "key_disclosed" || notice.period !== d.period || !equalBytes(notice.device, d.device)) continue;
    return [outbox.disclosures.resultStatement(d.inputId, { noticeIndex: n.index, ...notice })];
  }
  return [];
}

/** The record a "rejected" report names (PROTOCOL §4.2), or null. */
export function failedRecordOf(node: NodeInput): FailedRecord | null {
  for (const r of node.reports) {
    const report = parseReport(fromHex(r.payload));
    if (report?.type !== "rejected" || report.record === undefined) continue;
    const { device, seq, recordHash } = report.record;
    return { device: fromHex(device), seq: BigInt(seq), recordHash: fromHex(recordHash) };
  }
  return null;
}
