// @lcore/dapp/protocol: the byte formats shared by devices, the gateway (encode) and
// the dApp (decode). Pure functions over Uint8Array; no I/O. docs/PROTOCOL.md is the
// specification; this module is its reference implementation.

export * from "./bounds.js";
export * from "./kinds.js";
export * from "./reasons.js";
export { DecodeError } from "./errors.js";
export {
  ByteReader, ByteWriter, U63_LIMIT, concatBytes, equalBytes, fromHex, parseHex, toHex, u64Bytes, readU64,
} from "./bytes.js";
export {
  type ReadingHeader, type ReadingBody, READING_MESSAGE_LENGTH,
  readingMessage, readingDigest, deviceAddress, rawPublicKey, periodOf,
  encodeReadingBody, decodeReadingBody, registrationProofDigest, rotationProofDigest,
} from "./deviceMessage.js";
export {
  type RecordKeys, type SealParameters,
  derivePeriodKey, deriveRecordKeys, recordAad, sealReading, openReading,
} from "./sealing.js";
export {
  PERMIT_TYPES, PERMIT_DOMAIN_NAME, PERMIT_DOMAIN_VERSION, type PermitDomain,
  permitDomainSeparator, registerPermitDigest, rotatePermitDigest, revokePermitDigest,
} from "./permit.js";
export { type Authorization, AUTH_SENDER, AUTH_PERMIT, PERMIT_SIGNATURE_LENGTH } from "./authorization.js";
export {
  type DeviceRegistration, type KeyRotation, type DeviceRevocation,
  encodeDeviceRegistration, encodeKeyRotation, encodeDeviceRevocation,
} from "./deviceInputs.js";
export {
  type WireRecord, type DecodedRecord, type RecordBatch,
  encodeRecord, encodeRecordBatch, recordBatchLength, recordLength, recordHash,
} from "./recordBatch.js";
export { type DecodedInput, decodeInput } from "./input.js";
export { type Notice, type DeviceNotice, type AcceptedRecordEntry, encodeNotice, decodeNotice } from "./notices.js";
export {
  type InspectQuery, type RecordsQuery, type DeviceInfo, type RecordInfo, type RecordsPage, type Counters,
  type StateHashInfo, type InspectFailure, type BalancesInfo, type SubmittersInfo, type BountyInfo, MAX_BALANCES_LISTED, InspectQueryError, MAX_STORED_U64,
  encodeInspectQuery, decodeInspectQuery, inspectPath, parseStoredU64,
} from "./inspect.js";
export {
  SETTLEMENT_PERIOD_SECONDS, SETTLEMENT_NOTICE_KIND, DETERMINISTIC_DEPLOYER, SETTLEMENT_SALT, type SettlementTick, type SettlementNotice,
  type AggregateCall, settlementPeriodOf, encodeSettlementTick, encodeSettlementNotice, decodeSettlementNotice,
  encodeSettlePeriodCall, encodeRecordAggregateCall, settlementAddress, abiWord, selector,
} from "./settlement.js";
export {
  DISCLOSURE_FLAG_VOUCHER, DISCLOSURE_NOTICE_KIND, type KeyDisclosure, type DisclosureNotice,
  encodeKeyDisclosure, encodeDisclosureNotice, decodeDisclosureNotice,
} from "./disclosure.js";
export { type RecordsTree, recordsRoot, recordsProof, recordsTree, verifyRecordsProof, treeDepth } from "./recordsTree.js";
export {
  type Deposit, type WalletTransfer, type Withdrawal, type BalanceEntry, type BalancesNotice,
  ETHER_ASSET, U256_LIMIT, WalletNoticeKind, MAX_BALANCE_ENTRIES, ERC20_TRANSFER_SELECTOR,
  isEther, u256Bytes, u256FromBytes, decodeEtherDeposit, decodeErc20Deposit, encodeEtherDeposit, encodeErc20Deposit,
  encodeWalletTransfer, encodeWithdrawal, erc20TransferCall, encodeBalancesNotice, decodeBalancesNotice,
} from "./wallet.js";
export {
  type SubmitterGrant, type SubmitterNotice, SUBMITTER_INPUT_KIND, SUBMITTER_NOTICE_KIND, MAX_SUBMITTERS_PER_OWNER,
  SubmitterAction, readSubmitterGrant, encodeSubmitterGrant, encodeSubmitterNotice, decodeSubmitterNotice,
} from "./submitters.js";
export {
  type BountySpec, type BountySolution, type BountyRefundClaim, type BountyNotice, type BountyEvent, type BountyRefusal,
  type SubsetSumProblemSpec, BOUNTY_TAG, BOUNTY_REFUND_KIND, BOUNTY_REFUSALS, BOUNTY_EVENTS, BountyNoticeKind,
  MAX_SOLUTION_INDICES, TIER_SIZES, tierAllows, generateProblem, decodeBountySpec, encodeBountySpec,
  encodeBountySolution, encodeBountyRefundClaim, encodeBountyNotice, decodeBountyNotice,
} from "./bounty.js";
export * from "./prunedDisclosure.js";
export * from "./pruneRule.js";
export * from "./recordHistory.js";
