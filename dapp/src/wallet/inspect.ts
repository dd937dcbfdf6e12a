// Inspect `balances/<owner>` (PROTOCOL §8.5): the owner's balances by asset, at most
// MAX_BALANCES_LISTED of them.

import { toHex } from "@lcore/protocol/bytes";
import { type BalancesInfo, MAX_BALANCES_LISTED } from "@lcore/protocol/inspect";
import type { Store } from "../state/store.js";
import { balancesOf } from "./store.js";

export function answerBalances(store: Store, owner: Uint8Array): BalancesInfo {
  const info: BalancesInfo = { owner: toHex(owner), balances: [], truncated: false };
  balancesOf(store, owner, (asset, amount) => {
    if (info.balances.length < MAX_BALANCES_LISTED)
      info.balances.push({ asset: toHex(asset), amount: amount.toString() });
    else info.truncated = true;
  });
  return info;
}
