// Internal transfers (0x20) and withdrawals (0x21). Balances change only inside the
// advance's savepoint, and a withdrawal debits the balance in the same advance that emits
// its voucher, so a withdrawal can be paid once only: a rejected advance rolls back both,
// an accepted one commits both.

import type { WalletTransfer, Withdrawal } from "@lcore/protocol/wallet";
import { Rejection } from "../context/rejection.js";
import type { AdvanceContext } from "../context/advance.js";
import { balancesNotice, credit, debit, payoutVoucher, saveWalletState } from "./ledger.js";
import { balance } from "./store.js";

export function handleWalletTransfer(ctx: AdvanceContext, t: WalletTransfer): void {
  if (t.amount === 0n) throw new Rejection("zero_amount", "transfer of 0");
  const from = ctx.meta.sender;
  debit(ctx, from, t.asset, t.amount);
  credit(ctx, t.to, t.asset, t.amount);
  const hash = saveWalletState(ctx);
  balancesNotice(ctx, hash, [
    { owner: from, asset: t.asset, balance: balance(ctx.store, from, t.asset) },
    { owner: t.to, asset: t.asset, balance: balance(ctx.store, t.to, t.asset) },
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
