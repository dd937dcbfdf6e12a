// The dApp's answer to a disclosure input (PROTOCOL §10, §11.1): when it accepted the
// input, its 0x91 notice for that device and period gives the verified aggregate — the
// key disclosure's only input, or the last part of a pruned day's (earlier parts only
// report how far they got). The follower writes it with the input's verdict, on the
// disclosure's row; a rejection needs nothing here (the follower already records the
// dApp's reason on the input).

import { decodeNotice } from "@lcore/dapp/protocol";
import { equalBytes, fromHex } from "../hex.js";
import type { Outbox } from "../outbox/outbox.js";
import type { InputRow } from "../outbox/inputStore.js";
import type { Statement } from "../outbox/writer.js";
import type { NodeInput } from "./nodeReader.js";

export function disclosureStatements(outbox: Outbox, input: InputRow, node: NodeInput): Statement[] {
  if (input.kind !== "disclosure" || node.status !== "ACCEPTED") return [];
  const d = outbox.disclosures.ofInput(input.id);
  if (d === undefined) return [];
  for (const n of node.notices) {
    let notice;
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
