// The wallet: portal deposits, internal transfers (0x20) and withdrawals (0x21).
// Balances change only inside the advance's savepoint, and a withdrawal debits the
// balance in the same advance that emits its voucher, so a withdrawal can be paid once
// only: a rejected advance rolls back both, an accepted one commits both.

import type { Deposit, WalletTransfer, Withdrawal, BalanceEntry } from "@lcore/protocol/wallet";
import { U256_LIMIT, encodeBalancesNotice, erc20TransferCall, isEther } from "@lcore/protocol/wallet";
import { toHex } from "@lcore/protocol/bytes";
import { Rejection } from "../app/rejection.js";
import { type AdvanceContext, saveState } from "../app/context.js";
import { openBountyFromDeposit } from "../bounties/bounty.js";

/** Add to a balance; `balance_overflow` if it would reach 2^256. */
export function credit(ctx: AdvanceContext, owner: Uint8Array, asset: Uint8Array, amount: bigint): bigint {
  const next = ctx.store.wallet.balance(owner, asset) + amount;
  if (next >= U256_LIMIT) throw new Rejection("balance_overflow", `crediting ${amount} to ${toHex(owner)} would overflow uint256`);
  ctx.store.wallet.setBalance(owner, asset, next);
  return next;
}

/** Take from a balance; `insufficient_balance` if it holds less. */
export function debit(ctx: AdvanceContext, owner: Uint8Array, asset: Uint8Array, amount: bigint): bigint {
  const have = ctx.store.wallet.balance(owner, asset);
  if (have < amount) throw new Rejection("insufficient_balance", `${toHex(owner)} holds ${have} of ${toHex(asset)}, needs ${amount}`);
  ctx.store.wallet.setBalance(owner, asset, have - amount);
  return have - amount;
}

/** Pay `amount` of `asset` to `to` on the base chain: Ether as a voucher carrying value, ERC-20 as a `transfer` call to the token. */
export function payoutVoucher(ctx: AdvanceContext, asset: Uint8Array, to: Uint8Array, amount: bigint): void {
  if (isEther(asset)) ctx.out.list.push({ type: "voucher", destination: to.slice(), value: amount, payload: new Uint8Array(0) });
  else ctx.out.list.push({ type: "voucher", destination: asset.slice(), value: 0n, payload: erc20TransferCall(to, amount) });
}

/** Refresh the wallet hash, save the state row, and return the state hash after the input. */
export function saveWalletState(ctx: AdvanceContext): Uint8Array {
  ctx.store.wallet.refreshHash();
  return saveState(ctx, ctx.store.state());
}

function balancesNotice(ctx: AdvanceContext, hash: Uint8Array, balances: BalanceEntry[]): void {
  ctx.out.notice(encodeBalancesNotice({ stateHash: hash, balances }));
}

/** A deposit through a portal: credit the depositor, or open the bounty its execLayerData carries. */
export function handleDeposit(ctx: AdvanceContext, d: Deposit): void {
  if (d.execLayerData.length > 0 && openBountyFromDeposit(ctx, d)) return;
  const balance = credit(ctx, d.sender, d.asset, d.value);
  const hash = saveWalletState(ctx);
  balancesNotice(ctx, hash, [{ owner: d.sender, asset: d.asset, balance }]);
}

export function handleWalletTransfer(ctx: AdvanceContext, t: WalletTransfer): void {
  if (t.amount === 0n) throw new Rejection("zero_amount", "transfer of 0");
  const from = ctx.meta.sender;
  debit(ctx, from, t.asset, t.amount);
  credit(ctx, t.to, t.asset, t.amount);
  const hash = saveWalletState(ctx);
  const w = ctx.store.wallet;
  balancesNotice(ctx, hash, [
    { owner: from, asset: t.asset, balance: w.balance(from, t.asset) },
    { owner: t.to, asset: t.asset, balance: w.balance(t.to, t.asset) },
  ]);
}

export function handleWithdrawal(ctx: AdvanceContext, wd: Withdrawal): void {
  if (wd.amount === 0n) throw new Rejection("zero_amount", "withdrawal of 0");
  const owner = ctx.meta.sender;
  const balance = debit(ctx, owner, wd.asset, wd.amount);
  payoutVoucher(ctx, wd.asset, owner, wd.amount);
  const hash = saveWalletState(ctx);
  balancesNotice(ctx, hash, [{ owner, asset: wd.asset, balance }]);
}
