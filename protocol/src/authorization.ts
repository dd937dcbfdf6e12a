// Who authorises a device operation: the input's sender itself, or the owner through
// an EIP-712 permit (permit.ts) that any relayer may submit.
//
//   auth = 0x00                                  owner = msg_sender
//        | 0x01 deadline(u64) signature(65)      owner = signer of the permit; r || s || v, v ∈ {27, 28}

import type { ByteReader, ByteWriter } from "./bytes.js";
import { DecodeError } from "./errors.js";

export const AUTH_SENDER = 0x00;
export const AUTH_PERMIT = 0x01;
export const PERMIT_SIGNATURE_LENGTH = 65;

export type Authorization = { kind: "sender" } | { kind: "permit"; deadline: bigint; signature: Uint8Array };

export function readAuthorization(r: ByteReader): Authorization {
  const kind = r.u8("auth kind");
  if (kind === AUTH_SENDER) return { kind: "sender" };
  if (kind === AUTH_PERMIT) {
    const deadline = r.u64("permit deadline");
    const signature = r.take(PERMIT_SIGNATURE_LENGTH, "permit signature");
    return { kind: "permit", deadline, signature };
  }
  throw new DecodeError("bad_auth_kind", `auth kind ${kind} is neither 0 (sender) nor 1 (permit)`);
}

export function writeAuthorization(w: ByteWriter, auth: Authorization): void {
  if (auth.kind === "sender") {
    w.u8(AUTH_SENDER);
  } else {
    w.u8(AUTH_PERMIT).u64(auth.deadline).bytes(auth.signature, PERMIT_SIGNATURE_LENGTH);
  }
}

export function authorizationLength(auth: Authorization): number {
  return auth.kind === "sender" ? 1 : 1 + 8 + PERMIT_SIGNATURE_LENGTH;
}
