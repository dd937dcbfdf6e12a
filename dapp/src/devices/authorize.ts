// Who is acting: the sender, or the signer of an owner permit that has not expired.

import { recoverSigner } from "../crypto/secp256k1.js";
import type { Authorization } from "@lcore/protocol/authorization";
import { toHex } from "@lcore/protocol/bytes";
import { Rejection } from "../context/rejection.js";
import type { AdvanceContext } from "../context/advance.js";

/**
 * The address that authorised the operation. For a permit, `digest` builds the EIP-712
 * digest from the permit's deadline (permit.ts); a malformed or high-s signature is
 * `bad_permit`, a deadline before block_timestamp is `permit_expired`.
 */
export function authorizer(
  ctx: AdvanceContext,
  auth: Authorization,
  digest: (deadline: bigint) => Uint8Array,
): Uint8Array {
  if (auth.kind === "sender") return ctx.meta.sender;
  if (ctx.meta.blockTimestamp > auth.deadline) {
    throw new Rejection(
      "permit_expired",
      `deadline ${auth.deadline} is before block_timestamp ${ctx.meta.blockTimestamp}`,
    );
  }
  const signer = recoverSigner(digest(auth.deadline), auth.signature);
  if (signer === null) throw new Rejection("bad_permit", "permit signature is malformed, high-s or recovers no key");
  return signer;
}

export function requireOwner(who: Uint8Array, owner: Uint8Array): void {
  for (let i = 0; i < 20; i++) {
    if (who[i] !== owner[i]) throw new Rejection("not_owner", `${toHex(who)} is not the device's owner`);
  }
}
