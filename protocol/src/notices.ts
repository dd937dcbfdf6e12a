// Notices: what the dApp publishes for each accepted input, provable on chain
// (Application.validateOutput) and searchable over GraphQL. Every notice starts
// kind(1) version(1) stateHash(32), the state hash after the input.
//
//   records accepted  = 0x84 0x01 stateHash(32) count(u16) (device(20) seq(u64) recordHash(32)) × count
//   device registered = 0x81 0x01 stateHash(32) device(20) owner(20) publicKey(64)
//   key rotated       = 0x82 0x01 stateHash(32) device(20) newPublicKey(64) nonce(u64)
//   device revoked    = 0x83 0x01 stateHash(32) device(20)
//
// A batch notice lists at most MAX_BATCH_RECORDS entries: 36 + 339 × 60 = 20,376 bytes.
//
// The other notices have their layouts next to their inputs: period settled (0x90,
// settlement.ts), submitter (0x85, submitters.ts), key disclosed (0x91, disclosure.ts), balances (0xa0, wallet.ts) and
// bounty (0xb0, bounty.ts). decodeNotice reads all of them, so a reader of the dApp's
// notices needs this one function.

import { ByteReader, ByteWriter } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { NoticeKind, VERSION_1 } from "./kinds.js";
import { type SettlementNotice, decodeSettlementNotice } from "./settlement.js";
import { type DisclosureNotice, decodeDisclosureNotice } from "./disclosure.js";
import { type BalancesNotice, decodeBalancesNotice } from "./wallet.js";
import { type BountyNotice, decodeBountyNotice } from "./bounty.js";
import { type SubmitterNotice, decodeSubmitterNotice } from "./submitters.js";
import { type FormatRegisteredNotice, decodeFormatRegisteredNotice } from "./deviceFormats.js";

export interface AcceptedRecordEntry {
  device: Uint8Array;
  seq: bigint;
  recordHash: Uint8Array;
}

/** The notices of device inputs (0x81-0x84), encoded here. */
export type DeviceNotice =
  | { kind: "records_accepted"; stateHash: Uint8Array; records: AcceptedRecordEntry[] }
  | { kind: "device_registered"; stateHash: Uint8Array; device: Uint8Array; owner: Uint8Array; publicKey: Uint8Array }
  | { kind: "key_rotated"; stateHash: Uint8Array; device: Uint8Array; newPublicKey: Uint8Array; nonce: bigint }
  | { kind: "device_revoked"; stateHash: Uint8Array; device: Uint8Array };

/** Every notice the dApp emits. */
export type Notice =
  | DeviceNotice
  | SubmitterNotice
  | FormatRegisteredNotice
  | SettlementNotice
  | DisclosureNotice
  | BalancesNotice
  | BountyNotice;

const NOTICE_ENTRY_LENGTH = 60;

export function encodeNotice(n: DeviceNotice): Uint8Array {
  switch (n.kind) {
    case "records_accepted": {
      const w = new ByteWriter(36 + NOTICE_ENTRY_LENGTH * n.records.length)
        .u8(NoticeKind.RecordsAccepted)
        .u8(VERSION_1)
        .bytes(n.stateHash, 32)
        .u16(n.records.length);
      for (const e of n.records) w.bytes(e.device, 20).u64(e.seq).bytes(e.recordHash, 32);
      return w.finish();
    }
    case "device_registered":
      return new ByteWriter(138)
        .u8(NoticeKind.DeviceRegistered)
        .u8(VERSION_1)
        .bytes(n.stateHash, 32)
        .bytes(n.device, 20)
        .bytes(n.owner, 20)
        .bytes(n.publicKey, 64)
        .finish();
    case "key_rotated":
      return new ByteWriter(126)
        .u8(NoticeKind.KeyRotated)
        .u8(VERSION_1)
        .bytes(n.stateHash, 32)
        .bytes(n.device, 20)
        .bytes(n.newPublicKey, 64)
        .u64(n.nonce)
        .finish();
    case "device_revoked":
      return new ByteWriter(54)
        .u8(NoticeKind.DeviceRevoked)
        .u8(VERSION_1)
        .bytes(n.stateHash, 32)
        .bytes(n.device, 20)
        .finish();
  }
}

/** For readers of notices (gateway, users, validators): any notice of the dApp, by its first byte. */
export function decodeNotice(bytes: Uint8Array): Notice {
  switch (bytes[0]) {
    case NoticeKind.Submitter:
      return decodeSubmitterNotice(bytes);
    case NoticeKind.FormatRegistered:
      return decodeFormatRegisteredNotice(bytes);
    case NoticeKind.PeriodSettled:
      return decodeSettlementNotice(bytes);
    case NoticeKind.KeyDisclosed:
      return decodeDisclosureNotice(bytes);
    case NoticeKind.Balances:
      return decodeBalancesNotice(bytes);
    case NoticeKind.Bounty:
      return decodeBountyNotice(bytes);
    default:
      return decodeDeviceNotice(bytes);
  }
}

function decodeDeviceNotice(bytes: Uint8Array): DeviceNotice {
  const r = new ByteReader(bytes);
  const kind = r.u8("notice kind");
  const version = r.u8("notice version");
  if (version !== VERSION_1) throw new DecodeError("unsupported_version", `notice version ${version}`);
  const stateHash = r.take(32, "state hash").slice();
  let n: DeviceNotice;
  switch (kind) {
    case NoticeKind.RecordsAccepted: {
      const count = r.u16("notice count");
      const records: AcceptedRecordEntry[] = [];
      for (let i = 0; i < count; i++) {
        records.push({
          device: r.take(20, "device").slice(),
          seq: r.u64("seq"),
          recordHash: r.take(32, "record hash").slice(),
        });
      }
      n = { kind: "records_accepted", stateHash, records };
      break;
    }
    case NoticeKind.DeviceRegistered:
      n = {
        kind: "device_registered",
        stateHash,
        device: r.take(20, "device").slice(),
        owner: r.take(20, "owner").slice(),
        publicKey: r.take(64, "public key").slice(),
      };
      break;
    case NoticeKind.KeyRotated:
      n = {
        kind: "key_rotated",
        stateHash,
        device: r.take(20, "device").slice(),
        newPublicKey: r.take(64, "public key").slice(),
        nonce: r.u64("nonce"),
      };
      break;
    case NoticeKind.DeviceRevoked:
      n = { kind: "device_revoked", stateHash, device: r.take(20, "device").slice() };
      break;
    default:
      throw new DecodeError("unknown_kind", `notice kind 0x${kind.toString(16).padStart(2, "0")}`);
  }
  r.end("notice");
  return n;
}
