// An owner allows an account to submit its devices' records, or stops allowing it
// (PROTOCOL §3.6). The owner is the input's sender: a grant names who may spend the
// owner's devices' sequence numbers, so it is the owner's own transaction, not a relayed one.

import { equalBytes, toHex } from "@lcore/protocol/bytes";
import { MAX_SUBMITTERS_PER_OWNER, type SubmitterGrant, encodeSubmitterNotice } from "@lcore/protocol/submitters";
import { Rejection } from "../context/rejection.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import { grantSubmitter, isAllowed, revokeSubmitter, submitterCount } from "./store.js";

export function handleSubmitterGrant(ctx: AdvanceContext, input: SubmitterGrant): void {
  const { store, meta } = ctx;
  const owner = meta.sender;
  const who = toHex(input.submitter);
  if (input.allowed) {
    if (equalBytes(input.submitter, owner)) {
      throw new Rejection(
        "submitter_already_granted",
        `${who} is the owner: an owner always submits its own devices' records`,
      );
    }
    if (isAllowed(store, owner, input.submitter))
      throw new Rejection("submitter_already_granted", `${who} is already allowed`);
    if (submitterCount(store, owner) >= MAX_SUBMITTERS_PER_OWNER) {
      throw new Rejection(
        "too_many_submitters",
        `${toHex(owner)} already allows ${MAX_SUBMITTERS_PER_OWNER} submitters: revoke one first`,
      );
    }
    grantSubmitter(store, { owner, submitter: input.submitter, grantedInput: meta.inputIndex });
  } else {
    if (!isAllowed(store, owner, input.submitter))
      throw new Rejection("submitter_not_granted", `${who} is not allowed by ${toHex(owner)}`);
    revokeSubmitter(store, owner, input.submitter);
  }
  const hash = saveState(ctx, store.state());
  ctx.out.notice(encodeSubmitterNotice({ stateHash: hash, owner, submitter: input.submitter, allowed: input.allowed }));
}
