// Subset-sum bounties: opened by a deposit whose execLayerData is a bounty, solved by
// the first valid solution (0x30) before the deadline, refunded to the requester by a
// refund claim (0x31) from anyone after it. The bounty's amount is locked in its row,
// outside every balance, until it is paid or refunded by voucher.

import { verifySubsetSum } from "@lcore/wasm-core";
import {
  type BountyRefusal,
  type BountyRefundClaim,
  type BountySolution,
  type BountySpec,
  decodeBountySpec,
  encodeBountyNotice,
  generateProblem,
  tierAllows,
} from "@lcore/protocol/bounty";
import { U63_LIMIT } from "@lcore/protocol/bytes";
import { DecodeError } from "@lcore/protocol/errors";
import type { Deposit } from "@lcore/protocol/wallet";
import { Rejection } from "../context/rejection.js";
import type { AdvanceContext } from "../context/advance.js";
import {
  BOUNTY_OPEN,
  BOUNTY_PAID,
  BOUNTY_REFUNDED,
  type BountyRow,
  bountyById,
  closeBounty,
  insertBounty,
  nextBountyId,
} from "../wallet/store.js";
import { payoutVoucher, saveWalletState } from "../wallet/ledger.js";

class Refused {
  constructor(
    readonly reason: BountyRefusal,
    readonly detail: string,
  ) {}
}

function problemOf(spec: BountySpec): { tier: number; elements: bigint[]; target: bigint } {
  if (spec.mode === "explicit") {
    const p = spec.problem;
    if (!tierAllows(p.tier, p.elements.length))
      throw new Refused("bad_problem", `tier ${p.tier} does not allow ${p.elements.length} elements`);
    return p;
  }
  if (spec.tier < 1 || spec.tier > 5) throw new Refused("bad_problem", `tier ${spec.tier}`);
  const g = generateProblem(spec.tier, spec.seed);
  return { tier: g.tier, elements: g.elements, target: g.target };
}

/**
 * Open the bounty a deposit carries. Returns false — after a `bounty_refused` report — when
 * the execLayerData is not an acceptable bounty: the caller then credits the deposit to the
 * depositor's balance (rejecting the input would strand the deposited funds in the Application).
 */
export function openBountyFromDeposit(ctx: AdvanceContext, d: Deposit): boolean {
  let problem: { tier: number; elements: bigint[]; target: bigint };
  let deadline: bigint;
  try {
    let spec: BountySpec;
    try {
      spec = decodeBountySpec(d.execLayerData);
    } catch (e) {
      if (e instanceof DecodeError) throw new Refused("bad_bounty", `${e.reason}: ${e.detail}`);
      throw e;
    }
    deadline = spec.deadline;
    if (deadline <= ctx.meta.blockTimestamp || deadline >= U63_LIMIT) {
      throw new Refused(
        "deadline_passed",
        `deadline ${deadline} is not after block_timestamp ${ctx.meta.blockTimestamp}`,
      );
    }
    problem = problemOf(spec);
    if (d.value === 0n) throw new Refused("zero_amount", "a bounty of 0");
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    ctx.out.report({ type: "bounty_refused", input: String(ctx.meta.inputIndex), reason: e.reason, detail: e.detail });
    return false;
  }
  const b: BountyRow = {
    id: nextBountyId(ctx.store),
    requester: d.sender,
    asset: d.asset,
    amount: d.value,
    tier: problem.tier,
    elements: problem.elements,
    target: problem.target,
    deadline,
    status: BOUNTY_OPEN,
    solver: null,
    openedInput: ctx.meta.inputIndex,
    closedInput: null,
  };
  insertBounty(ctx.store, b);
  const hash = saveWalletState(ctx);
  ctx.out.notice(
    encodeBountyNotice({
      stateHash: hash,
      bountyId: b.id,
      event: "opened",
      party: b.requester,
      asset: b.asset,
      amount: b.amount,
      deadline,
    }),
  );
  return true;
}

function openBounty(ctx: AdvanceContext, id: bigint): BountyRow {
  const b = bountyById(ctx.store, id);
  if (b === null) throw new Rejection("unknown_bounty", `no bounty ${id}`);
  if (b.status !== BOUNTY_OPEN)
    throw new Rejection("bounty_closed", `bounty ${id} was already ${b.status === BOUNTY_PAID ? "paid" : "refunded"}`);
  return b;
}

export function handleBountySolution(ctx: AdvanceContext, s: BountySolution): void {
  const b = openBounty(ctx, s.bountyId);
  if (ctx.meta.blockTimestamp > b.deadline) {
    throw new Rejection(
      "bounty_expired",
      `block_timestamp ${ctx.meta.blockTimestamp} is after the deadline ${b.deadline}`,
    );
  }
  const r = verifySubsetSum({ tier: b.tier, elements: b.elements, target: b.target }, s.indices);
  if (!r.ok) throw new Rejection("invalid_solution", r.reason);
  const solver = ctx.meta.sender;
  closeBounty(ctx.store, b.id, BOUNTY_PAID, solver, ctx.meta.inputIndex);
  payoutVoucher(ctx, b.asset, solver, b.amount);
  const hash = saveWalletState(ctx);
  ctx.out.notice(
    encodeBountyNotice({
      stateHash: hash,
      bountyId: b.id,
      event: "paid",
      party: solver,
      asset: b.asset,
      amount: b.amount,
      deadline: b.deadline,
    }),
  );
}

export function handleBountyRefund(ctx: AdvanceContext, c: BountyRefundClaim): void {
  const b = openBounty(ctx, c.bountyId);
  if (ctx.meta.blockTimestamp <= b.deadline) {
    throw new Rejection(
      "bounty_not_expired",
      `block_timestamp ${ctx.meta.blockTimestamp} is not after the deadline ${b.deadline}`,
    );
  }
  closeBounty(ctx.store, b.id, BOUNTY_REFUNDED, null, ctx.meta.inputIndex);
  payoutVoucher(ctx, b.asset, b.requester, b.amount);
  const hash = saveWalletState(ctx);
  ctx.out.notice(
    encodeBountyNotice({
      stateHash: hash,
      bountyId: b.id,
      event: "refunded",
      party: b.requester,
      asset: b.asset,
      amount: b.amount,
      deadline: b.deadline,
    }),
  );
}
