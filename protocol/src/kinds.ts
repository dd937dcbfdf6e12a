// Input and notice kinds: the first byte of every payload; the second is its version.

/** Inputs sent through InputBox.addInput by the gateway, owners or operators. */
export const InputKind = {
  DeviceRegistration: 0x01,
  KeyRotation: 0x02,
  DeviceRevocation: 0x03,
  RecordBatch: 0x04,
  // The owner allows or stops an account submitting its devices' records (PROTOCOL §3.6).
  SubmitterGrant: 0x05,
  // A device of another firmware's format: ioID-SDK or JWS ES256 (PROTOCOL §12).
  FormatRegistration: 0x06,
  SettlementTick: 0x10,
  KeyDisclosure: 0x11,
  // A disclosure whose records were pruned from the state: they come with the input (PROTOCOL §11.1).
  PrunedDisclosure: 0x12,
  WalletTransfer: 0x20,
  Withdrawal: 0x21,
  BountySolution: 0x30,
  // A claim for a bounty's refund once its deadline has passed.
  BountyRefund: 0x31,
} as const;
export type InputKind = (typeof InputKind)[keyof typeof InputKind];

/** Kinds with a decoder in this version of the protocol. */
export const SUPPORTED_INPUT_KINDS: readonly number[] = [
  InputKind.DeviceRegistration,
  InputKind.KeyRotation,
  InputKind.DeviceRevocation,
  InputKind.RecordBatch,
  InputKind.SubmitterGrant,
  InputKind.FormatRegistration,
  InputKind.SettlementTick,
  InputKind.KeyDisclosure,
  InputKind.PrunedDisclosure,
  InputKind.WalletTransfer,
  InputKind.Withdrawal,
  InputKind.BountySolution,
  InputKind.BountyRefund,
];

/** The only version of every kind so far. */
export const VERSION_1 = 0x01;

/** Notices: kind = the kind of the input that caused it | 0x80, so one byte tells both. */
export const NoticeKind = {
  DeviceRegistered: 0x81,
  KeyRotated: 0x82,
  DeviceRevoked: 0x83,
  RecordsAccepted: 0x84,
  // protocol/submitters.ts encodes it.
  Submitter: 0x85,
  // protocol/deviceFormats.ts encodes it.
  FormatRegistered: 0x86,
  PeriodSettled: 0x90,
  KeyDisclosed: 0x91,
  // Wallet and bounties: protocol/wallet.ts and protocol/bounty.ts encode them.
  Balances: 0xa0,
  Bounty: 0xb0,
} as const;
export type NoticeKind = (typeof NoticeKind)[keyof typeof NoticeKind];
