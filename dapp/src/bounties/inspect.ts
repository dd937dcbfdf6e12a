// Inspect `bounty/<id>` (PROTOCOL §8.5): the bounty's row, its problem and who it paid.

import { toHex } from "@lcore/protocol/bytes";
import type { BountyInfo } from "@lcore/protocol/inspect";
import { found } from "../context/inspect.js";
import type { Store } from "../state/store.js";
import { BOUNTY_OPEN, BOUNTY_PAID, bountyById } from "../wallet/store.js";

export function answerBounty(store: Store, id: bigint): BountyInfo {
  const b = found(bountyById(store, id), "bounty");
  return {
    id: b.id.toString(),
    requester: toHex(b.requester),
    asset: toHex(b.asset),
    amount: b.amount.toString(),
    tier: b.tier,
    elements: b.elements.map((e) => e.toString()),
    target: b.target.toString(),
    deadline: b.deadline.toString(),
    status: b.status === BOUNTY_OPEN ? "open" : b.status === BOUNTY_PAID ? "paid" : "refunded",
    solver: b.solver === null ? null : toHex(b.solver),
    openedInput: b.openedInput.toString(),
    closedInput: b.closedInput === null ? null : b.closedInput.toString(),
  };
}
