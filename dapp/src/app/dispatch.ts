// The one place that knows every feature: an advance's input goes to its feature's
// handler — a portal's deposit by its sender, any other input by its kind byte — and
// an inspect query to the feature that answers it.

import { decodeInput } from "@lcore/protocol/input";
import { type InspectQuery, InspectQueryError, decodeInspectQuery } from "@lcore/protocol/inspect";
import { answerBounty } from "../bounties/inspect.js";
import { handleBountyRefund, handleBountySolution } from "../bounties/bounty.js";
import { handleDeposit } from "../deposits/deposit.js";
import { isPortal } from "../deposits/portals.js";
import { answerDevice } from "../devices/inspect.js";
import { handleDeviceRevocation, handleKeyRotation } from "../devices/ownerOperations.js";
import { handleDeviceRegistration } from "../devices/registration.js";
import { handleFormatRegistration } from "../devices/formatRegistration.js";
import { handleKeyDisclosure } from "../disclosure/disclose.js";
import { handlePrunedDisclosure } from "../disclosure/disclosePruned.js";
import { answerRecord, answerRecords } from "../records/inspect.js";
import { handleRecordBatch } from "../records/recordBatch.js";
import { answerPeriod } from "../settlement/inspect.js";
import { handleSettlementTick, settleDuePeriods } from "../settlement/settle.js";
import type { Store } from "../state/store.js";
import { handleSubmitterGrant } from "../submitters/grant.js";
import { answerSubmitters } from "../submitters/inspect.js";
import { answerBalances } from "../wallet/inspect.js";
import { handleWalletTransfer, handleWithdrawal } from "../wallet/transfers.js";
import type { AdvanceContext } from "../context/advance.js";
import { answerCounters, answerStateHash } from "../state/inspect.js";

/** Handle an advance's input inside its savepoint; `sender` is msg_sender in lower-case hex. Throws to reject. */
export function dispatchAdvance(ctx: AdvanceContext, sender: string, payload: Uint8Array): void {
  // Any input of a later settlement period, deposits included, settles the open one
  // before its own content (PROTOCOL §9); a rejection rolls the settlement back too.
  const settled = settleDuePeriods(ctx);
  if (isPortal(sender)) {
    // Deposits: the portal's own payload layout, not the lcore envelope (deposits/).
    handleDeposit(ctx, sender, payload);
    return;
  }
  const input = decodeInput(payload);
  ctx.probe?.lap("decode");
  switch (input.kind) {
    case "device_registration":
      handleDeviceRegistration(ctx, input);
      break;
    case "key_rotation":
      handleKeyRotation(ctx, input);
      break;
    case "device_revocation":
      handleDeviceRevocation(ctx, input);
      break;
    case "record_batch":
      handleRecordBatch(ctx, input);
      break;
    case "submitter_grant":
      handleSubmitterGrant(ctx, input);
      break;
    case "format_registration":
      handleFormatRegistration(ctx, input);
      break;
    case "settlement_tick":
      handleSettlementTick(ctx, settled);
      break;
    case "key_disclosure":
      handleKeyDisclosure(ctx, input);
      break;
    case "pruned_disclosure":
      handlePrunedDisclosure(ctx, input);
      break;
    case "wallet_transfer":
      handleWalletTransfer(ctx, input);
      break;
    case "withdrawal":
      handleWithdrawal(ctx, input);
      break;
    case "bounty_solution":
      handleBountySolution(ctx, input);
      break;
    case "bounty_refund":
      handleBountyRefund(ctx, input);
      break;
  }
}

export type InspectAnswer = { ok: true; body: object } | { ok: false; body: { error: string; detail: string } };

/** Answer an inspect payload: a malformed or unanswerable query is a `{ error, detail }` answer. */
export function dispatchInspect(store: Store, payload: Uint8Array): InspectAnswer {
  try {
    return { ok: true, body: answer(store, decodeInspectQuery(payload)) };
  } catch (e) {
    if (e instanceof InspectQueryError) return { ok: false, body: { error: e.code, detail: e.detail } };
    throw e;
  }
}

function answer(store: Store, q: InspectQuery): object {
  switch (q.kind) {
    case "state_hash":
      return answerStateHash(store);
    case "counters":
      return answerCounters(store);
    case "device":
      return answerDevice(store, q.device);
    case "record":
      return answerRecord(store, q.device, q.seq);
    case "records":
      return answerRecords(store, q);
    case "submitters":
      return answerSubmitters(store, q.owner);
    case "balances":
      return answerBalances(store, q.owner);
    case "period":
      return answerPeriod(store, q.period);
    case "bounty":
      return answerBounty(store, q.id);
  }
}
