// The wallet's moves, shared by deposits (deposits/), transfers and withdrawals
// (transfers.ts) and bounties (bounties/): credit or debit a balance, pay out by voucher,
// and save the state once the wallet hash is refreshed.

import type { BalanceEntry } from "@lcore/protocol/wallet";
import { U256_LIMIT, encodeBalancesNotice, erc20TransferCall, isEther } from "@lcore/protocol/wallet";
import { toHex } from "@lcore/protocol/bytes";
import { Rejection } from "../context/rejection.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import { balance, refreshWalletHash, setBalance } from "./store.js";

/** Add to a balance; `balance_overflow` if it would reach 2^256. */
export function credit(ctx: AdvanceContext, owner: Uint8Array, asset: Uint8Array, amount: bigint): bigint {
  const next = balance(ctx.store, owner, asset) + amount;
  if (next >= U256_LIMIT)
    throw new Rejection("balance_overflow", `crediting ${amount} to ${toHex(owner)} would overflow uint256`);
  setBalance(ctx.store, owner, asset, next);
  return next;
}

/** Take from a balance; `insufficient_balance` if it holds less. */
export function debit(ctx: AdvanceContext, owner: Uint8Array, asset: Uint8Array, amount: bigint): bigint {
  const have = balance(ctx.store, owner, asset);
  if (have < amount)
    throw new Rejection("insufficient_balance", `${toHex(owner)} holds ${have} of ${toHex(asset)}, needs ${amount}`);
  setBalance(ctx.store, owner, asset, have - amount);
  return have - amount;
}

/** Pay `amount` of `asset` to `to` on the base chain: Ether as a voucher carrying value, ERC-20 as a `transfer` call to the token. */
export function payoutVoucher(ctx: AdvanceContext, asset: Uint8Array, to: Uint8Array, amount: bigint): void {
  if (isEther(asset))
    ctx.out.list.push({ type: "voucher", destination: to.slice(), value: amount, payload: new Uint8Array(0) });
  else
    ctx.out.list.push({
      type: "voucher",
      destination: asset.slice(),
      value: 0n,
      payload: erc20TransferCall(to, amount),
    });
}

/** Refresh the wallet hash, save the state row, and return the state hash after the input. */
export function saveWalletState(ctx: AdvanceContext): Uint8Array {
  refreshWalletHash(ctx.store);
  return saveState(ctx, ctx.store.state());
}

/** Notice 0xa0: balances after the input. */
export function balancesNotice(ctx: AdvanceContext, hash: Uint8Array, balances: BalanceEntry[]): void {
  ctx.out.notice(encodeBalancesNotice({ stateHash: hash, balances }));
}
