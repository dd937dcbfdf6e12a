// Every size and count bound of the protocol, and the arithmetic that proves each
// valid input fits the machine's input limit once ABI-encoded as EvmAdvance.

/** Cartesi Rollups v2.2.0 `CanonicalMachine.INPUT_MAX_SIZE`: the whole ABI-encoded EvmAdvance. */
export const INPUT_MAX_SIZE = 65_536;

/**
 * Bytes of `abi.encodeCall(EvmAdvance, (chainId, app, sender, blockNumber, blockTimestamp,
 * prevRandao, index, payload))` for a payload of `n` bytes: selector (4), seven static
 * words and the payload offset (8 × 32), the payload length word (32), the payload
 * padded to a multiple of 32.
 */
export function evmAdvanceLength(n: number): number {
  return 4 + 8 * 32 + 32 + n + ((32 - (n % 32)) % 32);
}

/** Largest payload whose EvmAdvance fits INPUT_MAX_SIZE: 292 + 65,216 = 65,508 ≤ 65,536 (65,217 would pad to 65,540). */
export const MAX_PAYLOAD_LENGTH = 65_216;

/** PROTOCOL §1: a reading's free-form payload inside the sealed body. */
export const MAX_READING_PAYLOAD = 1024;
/** nonce(16) || value(8) || payloadLength(2). */
export const BODY_FIXED_LENGTH = 26;
/** Two AEAD tags: PROTOCOL §2, len(sealed) = len(body) + 32. */
export const SEALED_OVERHEAD = 32;
export const MIN_SEALED_LENGTH = BODY_FIXED_LENGTH + SEALED_OVERHEAD; // 58
export const MAX_SEALED_LENGTH = BODY_FIXED_LENGTH + MAX_READING_PAYLOAD + SEALED_OVERHEAD; // 1082

/** device(20) seq(8) timestamp(8) bodyHash(32) signature(64) sealedLength(2): a record's bytes before `sealed`. */
export const RECORD_FIXED_LENGTH = 20 + 8 + 8 + 32 + 64 + 2; // 134
export const MIN_RECORD_LENGTH = RECORD_FIXED_LENGTH + MIN_SEALED_LENGTH; // 192
export const MAX_RECORD_LENGTH = RECORD_FIXED_LENGTH + MAX_SEALED_LENGTH; // 1216

/** kind(1) version(1) count(2). */
export const BATCH_HEADER_LENGTH = 4;
/** As many of the smallest records as fit MAX_PAYLOAD_LENGTH: ⌊(65,216 − 4) / 192⌋ = 339. */
export const MAX_BATCH_RECORDS =
  (MAX_PAYLOAD_LENGTH - BATCH_HEADER_LENGTH - ((MAX_PAYLOAD_LENGTH - BATCH_HEADER_LENGTH) % MIN_RECORD_LENGTH)) /
  MIN_RECORD_LENGTH;

/** Owner-chosen opaque device metadata (device type, unit, scale...). */
export const MAX_METADATA_LENGTH = 256;

/** A record may be stamped at most this far past the block that carries it (device clocks drift). */
export const MAX_FUTURE_SKEW_SECONDS = 3600n;

/** PROTOCOL: one disclosure period is one UTC day of device time. */
export const DISCLOSURE_PERIOD_SECONDS = 86_400n;
/**
 * PROTOCOL §3.5: records of one device accepted per disclosure day (by the record's
 * timestamp), one every 10 s. A 0x11 disclosure opens every record of its day in one input,
 * and the machine has no gas: the cap bounds that input (≈ 40 µs a record on the host).
 * Further records of the day are skipped (`device_day_full`).
 */
export const MAX_DEVICE_DAY_RECORDS = 8_640;

/** Inspect: the query is a short UTF-8 path. */
export const MAX_INSPECT_QUERY_LENGTH = 512;
/** Inspect pages: at most this many records, and a page stops early before its JSON passes MAX_INSPECT_REPORT_BYTES. */
export const MAX_PAGE_RECORDS = 100;
export const DEFAULT_PAGE_RECORDS = 20;
export const MAX_INSPECT_REPORT_BYTES = 65_536;

/**
 * PROTOCOL §11, pruning: a settled period's records stay in the state while it is one of
 * the last PRUNE_KEEP_SETTLED_PERIODS settled periods and the kept records of settled
 * periods number at most PRUNE_KEEP_RECORDS (≈ 64 MiB at ~243 bytes a record); the oldest
 * leave first. A small fleet keeps a day of hourly periods, so the daily disclosure
 * (0x11) works from the state; a large one prunes sooner and discloses with 0x12.
 */
export const PRUNE_KEEP_SETTLED_PERIODS = 24;
export const PRUNE_KEEP_RECORDS = 262_144n;
/** A disclosure period (day) can be disclosed while day ≥ the block's day − this; older ones are closed (their pruned counts are dropped). */
export const DISCLOSURE_WINDOW_DAYS = 31n;
/**
 * PROTOCOL §11, pruning in steps: a settlement only moves the prune point; the rows it
 * forgets (and the day counts the window cut drops) are deleted at most this many at the end
 * of each accepted input (≈ 15 ms on the host), so no input pays for a whole period. It is
 * ≥ 12 × MAX_BATCH_RECORDS, so the backlog shrinks with every input, batches included.
 */
export const PRUNE_STEP_RECORDS = 4_096;

/** device(20) period(u32) periodKey(32) flags(u8) count(u16) after kind and version: a disclosure of pruned records' fixed part (PROTOCOL §11.1). */
export const PRUNED_DISCLOSURE_HEADER_LENGTH = 2 + 20 + 4 + 32 + 1 + 2; // 61
/** settlementPeriod(u64) leafIndex(u32) proofLength(u8): an entry's bytes before its proof and record. */
export const PRUNED_ENTRY_FIXED_LENGTH = 8 + 4 + 1; // 13
/** A records tree's leaf index is a u32, so a proof has at most 32 siblings. */
export const MAX_RECORDS_PROOF_LENGTH = 32;
/** As many of the smallest entries (single-record period: no proof; smallest record) as fit: ⌊(65,216 − 61) / (13 + 192)⌋ = 317. */
export const MAX_PRUNED_DISCLOSURE_RECORDS = Math.floor(
  (MAX_PAYLOAD_LENGTH - PRUNED_DISCLOSURE_HEADER_LENGTH) / (PRUNED_ENTRY_FIXED_LENGTH + MIN_RECORD_LENGTH),
);
