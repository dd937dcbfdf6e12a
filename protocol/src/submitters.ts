// The submitter allow-list's byte formats (PROTOCOL §3.6): an owner names the accounts
// (msg_sender) allowed to submit records for its devices, so a copy of a signed record
// posted first by anyone else, with other sealed bytes, is refused instead of spending
// the device's seq. The owner itself is always allowed; it needs no grant.
//
//   grant/revoke input = 0x05 0x01 action(u8: 1 grant, 0 revoke) submitter(20)   (owner = msg_sender)
//   submitter notice   = 0x85 0x01 stateHash(32) owner(20) submitter(20) allowed(u8)

import { ByteReader, ByteWriter } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, NoticeKind, VERSION_1 } from "./kinds.js";

export const SUBMITTER_INPUT_KIND = InputKind.SubmitterGrant;
export const SUBMITTER_NOTICE_KIND = NoticeKind.Submitter;
/** Most accounts one owner may allow at once: keeps the per-record check and the state small. */
export const MAX_SUBMITTERS_PER_OWNER = 16;

export const SubmitterAction = { Revoke: 0, Grant: 1 } as const;

export interface SubmitterGrant {
  kind: "submitter_grant";
  /** true: grant, false: revoke. */
  allowed: boolean;
  submitter: Uint8Array;
}

/** Reads the body after kind and version. */
export function readSubmitterGrant(r: ByteReader): SubmitterGrant {
  const action = r.u8("submitter action");
  if (action !== SubmitterAction.Grant && action !== SubmitterAction.Revoke) {
    throw new DecodeError("bad_submitter_action", `submitter action ${action}: expected 0 (revoke) or 1 (grant)`);
  }
  const submitter = r.take(20, "submitter").slice();
  r.end("submitter grant");
  return { kind: "submitter_grant", allowed: action === SubmitterAction.Grant, submitter };
}

export function encodeSubmitterGrant(p: Omit<SubmitterGrant, "kind">): Uint8Array {
  return new ByteWriter(23)
    .u8(SUBMITTER_INPUT_KIND)
    .u8(VERSION_1)
    .u8(p.allowed ? SubmitterAction.Grant : SubmitterAction.Revoke)
    .bytes(p.submitter, 20)
    .finish();
}

export interface SubmitterNotice {
  kind: "submitter";
  stateHash: Uint8Array;
  owner: Uint8Array;
  submitter: Uint8Array;
  allowed: boolean;
}

export function encodeSubmitterNotice(n: Omit<SubmitterNotice, "kind">): Uint8Array {
  return new ByteWriter(75)
    .u8(SUBMITTER_NOTICE_KIND)
    .u8(VERSION_1)
    .bytes(n.stateHash, 32)
    .bytes(n.owner, 20)
    .bytes(n.submitter, 20)
    .u8(n.allowed ? 1 : 0)
    .finish();
}

export function decodeSubmitterNotice(bytes: Uint8Array): SubmitterNotice {
  const r = new ByteReader(bytes);
  const kind = r.u8("notice kind");
  if (kind !== SUBMITTER_NOTICE_KIND)
    throw new DecodeError("unknown_kind", `notice kind 0x${kind.toString(16).padStart(2, "0")}`);
  const version = r.u8("notice version");
  if (version !== VERSION_1) throw new DecodeError("unsupported_version", `notice version ${version}`);
  const stateHash = r.take(32, "state hash").slice();
  const owner = r.take(20, "owner").slice();
  const submitter = r.take(20, "submitter").slice();
  const allowed = r.u8("allowed");
  if (allowed > 1) throw new DecodeError("bad_submitter_action", `allowed ${allowed}`);
  r.end("submitter notice");
  return { kind: "submitter", stateHash, owner, submitter, allowed: allowed === 1 };
}
