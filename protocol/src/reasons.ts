// Stable reason codes. They appear in reports (JSON `reason`) and the gateway matches
// on them, so a code is never renamed or reused; new ones are only added.

/** Why a whole input was rejected (report `{"type":"rejected","reason":...}`, then reject). */
export const REJECT_REASONS = [
  // The envelope: decoding fails before any state is read.
  "empty_payload", //          zero-length payload
  "payload_too_large", //      over MAX_PAYLOAD_LENGTH
  "unknown_kind", //           first byte is not a kind
  "unsupported_version", //    second byte is not a version of that kind
  "truncated", //              a field runs past the end
  "trailing_bytes", //         bytes left after the last field
  "bad_count", //              batch record count is 0 or over MAX_BATCH_RECORDS
  "bad_sealed_length", //      sealed length outside MIN_SEALED_LENGTH..MAX_SEALED_LENGTH
  "metadata_too_large", //     device metadata over MAX_METADATA_LENGTH
  "bad_auth_kind", //          authorisation byte is neither 0 (sender) nor 1 (permit)
  "portal_not_supported", //   no longer emitted: deposits are handled since issue 6 (wallet)
  // Device operations: checked against the state.
  "invalid_public_key", //     not a point on secp256k1
  "bad_device_proof", //       the device key's proof-of-possession signature does not verify
  "bad_permit", //             the owner permit's signature is malformed or high-s
  "permit_expired", //         block_timestamp is after the permit's deadline
  "not_owner", //              sender (or permit signer) is not the device's owner
  "device_exists", //          registration of an address already registered (even if revoked)
  "unknown_device", //         rotation/revocation of an unregistered device
  "device_revoked", //         rotation/revocation of a revoked device
  "same_key", //               rotation to the key already registered
  // Batches.
  "no_record_accepted", //     every record of the batch was skipped
  // Wallet and bounties (protocol/wallet.ts, protocol/bounty.ts).
  "zero_amount", //            a transfer or withdrawal of nothing
  "insufficient_balance", //   the sender's balance of that asset is below the amount
  "balance_overflow", //       a credit would take a balance to 2^256 or more
  "unknown_bounty", //         no bounty with that id
  "bounty_closed", //          the bounty was already paid or refunded (detail says which)
  "bounty_expired", //         a solution after the bounty's deadline (block_timestamp > deadline)
  "bounty_not_expired", //     a refund claim before the deadline has passed
  "invalid_solution", //       verifySubsetSum refused the indices; detail starts with its reason (e.g. mismatch)
  "state_tree_full", //        a new balance row, bounty or grant needs a tree slot past the 2^32 (PROTOCOL §6)
  // Settlement and disclosure (PROTOCOL §9, §10).
  "nothing_to_settle", //      a tick with no earlier period waiting for settlement
  "bad_flags", //              a disclosure's flags set bits other than bit 0
  "no_records", //             the device has no record in the disclosed period
  "bad_period_key", //         a record of the period does not open with the disclosed key
  "body_hash_mismatch", //     an opened body's SHA-256 is not the signed bodyHash
  "bad_reading_body", //       an opened body is not a well-formed reading body
  "already_disclosed", //      that device's period was disclosed before
  "period_pruned", //          some of the device's records of the period were pruned (PROTOCOL §11): disclose with 0x12
  "not_pruned", //             a 0x12 disclosure of a day none of whose records was pruned: use 0x11
  "bad_record_proof", //       a 0x12 entry's record is not the device's, not of the day, not pruned, or its proof fails
  "disclosure_mismatch", //    a 0x12 part's key or flags differ from the first part's, or its seqs do not follow the last part's
  "disclosure_window_closed", // the period is more than DISCLOSURE_WINDOW_DAYS days before the block's day
  // Submitter allow-list (protocol/submitters.ts, issue 13).
  "bad_submitter_action", //   a grant/revoke action byte other than 0 (revoke) or 1 (grant)
  "submitter_already_granted", // a grant of a submitter the owner already allows
  "submitter_not_granted", //  a revoke of a submitter the owner does not allow
  "too_many_submitters", //    a grant over MAX_SUBMITTERS_PER_OWNER
  // Device formats (protocol/deviceFormats.ts, PROTOCOL §12).
  "unknown_format", //         a 0x06 registration's format is not 1 (ioID-SDK) or 2 (JWS ES256)
  "bad_value_field", //        its value field or scale breaks the format's rule
  "key_type_mismatch", //      a rotation (0x02, secp256k1 only) of a P-256 device
  // The dApp itself: an unexpected error, rolled back like any other rejection.
  "internal_error",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Why one record of a batch was skipped (the rest of the batch still counts). */
export const SKIP_REASONS = [
  "unknown_device", //      no device with that address
  "device_revoked", //      the device was revoked
  "seq_not_increasing", //  seq ≤ the device's last accepted seq (replay, or out of order in the batch)
  "seq_out_of_range", //    seq ≥ 2^63
  "timestamp_in_future", // timestamp > block_timestamp + MAX_FUTURE_SKEW_SECONDS
  "submitter_not_allowed", // msg_sender is neither the device's owner nor granted by it (checked before seq)
  "bad_signature", //       not a valid low-s signature of the record's digest by the device's current key
  "device_day_full", //     the device already has MAX_DEVICE_DAY_RECORDS records accepted in the record's disclosure day
  "seq_not_time", //        a format device's record whose seq is not its timestamp (PROTOCOL §12.1)
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Why an inspect query was refused (report `{"error":...}`). */
export const INSPECT_ERRORS = [
  "bad_query", //         not a known path, bad parameter, or over MAX_INSPECT_QUERY_LENGTH
  "not_found", //         no such device or record
  "pruned", //            the record's seq is at or below the device's highest pruned seq: its settled period left the state (PROTOCOL §11)
] as const;
export type InspectError = (typeof INSPECT_ERRORS)[number];
