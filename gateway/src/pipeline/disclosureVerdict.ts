// The dApp's answer to a key-disclosure input (PROTOCOL §10): when it accepted the
// input, its 0x91 notice for that device and period gives the verified aggregate. The
// follower writes it with the input's verdict; a rejection needs nothing here (the
// follower already records the dApp's reason).

import { decodeNotice } from "@lcore/dapp/protocol";
import { equalBytes, fromHex } from "../hex.js";
import type { Outbox } from "../outbox/outbox.js";
import type { InputRow } from "../outbox/inputStore.js";
import type { Statement } from "../outbox/writer.js";
import type { NodeInput } from "./nodeReader.js";

export function disclosureStatements(outbox: Outbox, input: InputRow, node: NodeInput): Statement[] {
  if (input.kind !== "disclosure" || node.status !== "ACCEPTED") return [];
  const d = outbox.disclosures.get(input.id);
  if (d === undefined) return [];
  for (const n of node.notices) {
    let notice;
    try {
      notice = decodeNotice(fromHex(n.payload));
    } catch {
      continue; // not one of the dApp's notices
    }
    if (notice.kind !== "key_disclosed" || notice.period !== d.period || !equalBytes(notice.device, d.device)) continue;
    return [outbox.disclosures.resultStatement(input.id, { noticeIndex: n.index, ...notice })];
  }
  return [];
}
