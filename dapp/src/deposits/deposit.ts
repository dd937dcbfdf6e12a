// A deposit through a Cartesi portal, in the portal's own payload layout (Ether or ERC-20;
// portals.ts). Its execLayerData may carry a bounty (bounties/bounty.ts); a deposit that
// carries none, or one the dApp refuses, is credited to the depositor's balance
// (wallet/ledger.ts): rejecting it would strand the deposited funds in the Application.

import { decodeErc20Deposit, decodeEtherDeposit } from "@lcore/protocol/wallet";
import type { AdvanceContext } from "../context/advance.js";
import { openBountyFromDeposit } from "../bounties/bounty.js";
import { balancesNotice, credit, saveWalletState } from "../wallet/ledger.js";
import { ETHER_PORTAL } from "./portals.js";

/** A deposit from `portal` (lower-case hex, one of portals.ts): open the bounty it carries, or credit the depositor. */
export function handleDeposit(ctx: AdvanceContext, portal: string, payload: Uint8Array): void {
  const d = portal === ETHER_PORTAL ? decodeEtherDeposit(payload) : decodeErc20Deposit(payload);
  if (d.execLayerData.length > 0 && openBountyFromDeposit(ctx, d)) return;
  const balance = credit(ctx, d.sender, d.asset, d.value);
  const hash = saveWalletState(ctx);
  balancesNotice(ctx, hash, [{ owner: d.sender, asset: d.asset, balance }]);
}
