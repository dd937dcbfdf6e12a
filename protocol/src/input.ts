// The envelope: the first byte is the kind, the second its version; decodeInput turns
// any byte string into one decoded input or a DecodeError with a stable reason.

import { MAX_PAYLOAD_LENGTH } from "./bounds.js";
import { ByteReader } from "./bytes.js";
import {
  type DeviceRegistration,
  type DeviceRevocation,
  type KeyRotation,
  readDeviceRegistration,
  readDeviceRevocation,
  readKeyRotation,
} from "./deviceInputs.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";
import { type RecordBatch, readRecordBatch } from "./recordBatch.js";
import { type WalletTransfer, type Withdrawal, readWalletTransfer, readWithdrawal } from "./wallet.js";
import { type BountyRefundClaim, type BountySolution, readBountyRefundClaim, readBountySolution } from "./bounty.js";
import { type SettlementTick, readSettlementTick } from "./settlement.js";
import { type KeyDisclosure, readKeyDisclosure } from "./disclosure.js";
import { type PrunedDisclosure, readPrunedDisclosure } from "./prunedDisclosure.js";
import { type SubmitterGrant, readSubmitterGrant } from "./submitters.js";
import { type FormatRegistration, readFormatRegistration } from "./deviceFormats.js";

export type DecodedInput =
  | DeviceRegistration
  | KeyRotation
  | DeviceRevocation
  | RecordBatch
  | SubmitterGrant
  | FormatRegistration
  | SettlementTick
  | KeyDisclosure
  | PrunedDisclosure
  | WalletTransfer
  | Withdrawal
  | BountySolution
  | BountyRefundClaim;

export function decodeInput(payload: Uint8Array): DecodedInput {
  if (payload.length === 0) throw new DecodeError("empty_payload", "payload is empty");
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new DecodeError("payload_too_large", `payload of ${payload.length} bytes over ${MAX_PAYLOAD_LENGTH}`);
  }
  const r = new ByteReader(payload);
  const kind = r.u8("kind");
  const reader = READERS[kind];
  if (reader === undefined) throw new DecodeError("unknown_kind", `kind 0x${kind.toString(16).padStart(2, "0")}`);
  const version = r.u8("version");
  if (version !== VERSION_1) {
    throw new DecodeError("unsupported_version", `kind 0x${kind.toString(16).padStart(2, "0")} version ${version}`);
  }
  return reader(r);
}

const READERS: Partial<Record<number, (r: ByteReader) => DecodedInput>> = {
  [InputKind.DeviceRegistration]: readDeviceRegistration,
  [InputKind.KeyRotation]: readKeyRotation,
  [InputKind.DeviceRevocation]: readDeviceRevocation,
  [InputKind.RecordBatch]: readRecordBatch,
  [InputKind.SubmitterGrant]: readSubmitterGrant,
  [InputKind.FormatRegistration]: readFormatRegistration,
  [InputKind.SettlementTick]: readSettlementTick,
  [InputKind.KeyDisclosure]: readKeyDisclosure,
  [InputKind.PrunedDisclosure]: readPrunedDisclosure,
  [InputKind.WalletTransfer]: readWalletTransfer,
  [InputKind.Withdrawal]: readWithdrawal,
  [InputKind.BountySolution]: readBountySolution,
  [InputKind.BountyRefund]: readBountyRefundClaim,
};
