// The outbox: one SQLite file on disk that holds everything the gateway has promised.
// A reading is answered 202 only after the transaction that wrote it committed with
// an fsync (WAL, synchronous=FULL), so a crash of the process or of the machine after
// the answer cannot lose it. Plaintext is never written: readings are stored sealed.

import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type OutboxDb = Database.Database;

/** Bump with a migration step below whenever the schema changes. */
export const SCHEMA_VERSION = 12;

/** Exported for the migration test, which builds a version-1 file. */
export const SCHEMA_V1 = `
CREATE TABLE devices (
  address       BLOB PRIMARY KEY,          -- 20 bytes, PROTOCOL §1
  public_key    BLOB NOT NULL UNIQUE,      -- 64 bytes x || y
  metadata      TEXT NOT NULL,
  mvp_id        TEXT UNIQUE,               -- MVP device_id of a custodial device, else NULL
  last_seq      BLOB,                      -- u64 big-endian of the last accepted reading, NULL before the first
  registered_ms INTEGER NOT NULL,
  input_id      INTEGER NOT NULL REFERENCES inputs(id)   -- the registration input
) WITHOUT ROWID;

-- One row per rollup input, in the order they must reach the chain.
CREATE TABLE inputs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('registration', 'records')),
  payload       BLOB NOT NULL,
  created_ms    INTEGER NOT NULL,
  nonce         INTEGER,                   -- the account nonce every transaction for this input uses
  tx_hash       BLOB,                      -- the transaction that was mined (set from its receipt)
  block_number  INTEGER,
  input_index   INTEGER UNIQUE,            -- from the InputAdded log in that receipt
  gas_used      INTEGER,
  included_ms   INTEGER,
  node_status   TEXT,                      -- the node's verdict once processed: ACCEPTED, REJECTED, EXCEPTION, ...
  reason        TEXT,                      -- the dApp's reason when it rejected the whole input
  processed_ms  INTEGER
);
CREATE INDEX inputs_unincluded ON inputs(id) WHERE input_index IS NULL;
CREATE INDEX inputs_unprocessed ON inputs(input_index) WHERE input_index IS NOT NULL AND node_status IS NULL;

-- Every signed transaction, written BEFORE it is sent (write-ahead): after a crash the
-- gateway rebroadcasts or finds the receipt of exactly these bytes. All rows of one
-- input share its nonce, so at most one of them can ever be mined.
CREATE TABLE txs (
  hash          BLOB PRIMARY KEY,
  input_id      INTEGER NOT NULL REFERENCES inputs(id),
  nonce         INTEGER NOT NULL,
  raw           BLOB NOT NULL,
  max_fee       TEXT NOT NULL,             -- wei, decimal
  max_priority  TEXT NOT NULL,
  signed_ms     INTEGER NOT NULL,
  sent_ms       INTEGER,
  abandoned     INTEGER NOT NULL DEFAULT 0 -- can no longer add the input (mined but reverted, or its nonce used elsewhere)
) WITHOUT ROWID;
CREATE INDEX txs_by_input ON txs(input_id);

CREATE TABLE readings (
  id            INTEGER PRIMARY KEY,       -- outbox order
  device        BLOB NOT NULL,
  seq           BLOB NOT NULL,             -- u64 big-endian
  timestamp     INTEGER NOT NULL,          -- seconds
  body_hash     BLOB NOT NULL,             -- SHA-256(body), on chain in the record
  digest        BLOB NOT NULL,             -- SHA-256(M), what the device signed; binds the sealing AAD
  signature     BLOB NOT NULL,             -- r || s
  sealed        BLOB NOT NULL,             -- PROTOCOL §2
  received_ms   INTEGER NOT NULL,
  input_id      INTEGER REFERENCES inputs(id),   -- NULL while queued
  position      INTEGER,                   -- index in that input's record list
  outcome       TEXT CHECK (outcome IN ('accepted', 'rejected')),
  reason        TEXT,                      -- the dApp's reason for a rejection
  notice_index  INTEGER,                   -- the notice that reported the outcome
  UNIQUE (device, seq)
);
CREATE INDEX readings_queued ON readings(id) WHERE input_id IS NULL;
CREATE INDEX readings_by_input ON readings(input_id, position) WHERE input_id IS NOT NULL;
`;

// v2: inputs may also be settlement ticks and key disclosures (PROTOCOL §9, §10). SQLite
// cannot alter a CHECK, so the table is rebuilt (the documented 12-step way: with
// foreign keys off, the tables that reference inputs(id) keep pointing at the new one).
const INPUTS_V2 = `
CREATE TABLE inputs_v2 (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('registration', 'records', 'tick', 'disclosure')),
  payload       BLOB NOT NULL,
  created_ms    INTEGER NOT NULL,
  nonce         INTEGER,
  tx_hash       BLOB,
  block_number  INTEGER,
  input_index   INTEGER UNIQUE,
  gas_used      INTEGER,
  included_ms   INTEGER,
  node_status   TEXT,
  reason        TEXT,
  processed_ms  INTEGER
);
INSERT INTO inputs_v2 SELECT id, kind, payload, created_ms, nonce, tx_hash, block_number, input_index,
  gas_used, included_ms, node_status, reason, processed_ms FROM inputs;
DROP TABLE inputs;
ALTER TABLE inputs_v2 RENAME TO inputs;
CREATE INDEX inputs_unincluded ON inputs(id) WHERE input_index IS NULL;
CREATE INDEX inputs_unprocessed ON inputs(input_index) WHERE input_index IS NOT NULL AND node_status IS NULL;
`;

// v3: period settlement (PROTOCOL §9, gateway side §7.2). The settlement follower reads every
// output of the app in order, so these hold what the chain holds, whichever relayer sent it.
const SETTLEMENT_V3 = `
-- Every record the dApp accepted, in acceptance order: the leaves of the periods' records trees.
CREATE TABLE IF NOT EXISTS chain_records (
  record_id     INTEGER PRIMARY KEY,       -- the dApp's record id: acceptance order, from 1
  device        BLOB NOT NULL,
  seq           BLOB NOT NULL,             -- u64 big-endian
  record_hash   BLOB NOT NULL,             -- keccak256(record), as the records-accepted notice lists it
  notice_index  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chain_records_by_reading ON chain_records(device, seq);

-- One row per settled period, from its voucher and its 0x90 notice (emitted by the same input).
CREATE TABLE IF NOT EXISTS periods (
  period        INTEGER PRIMARY KEY,       -- floor(block_timestamp / 3600)
  records_root  BLOB,
  record_count  INTEGER,
  first_record  INTEGER,                   -- leaf i is record first_record + i
  state_hash    BLOB,
  notice_index  INTEGER,
  voucher_index INTEGER,                   -- the settlePeriod voucher's output index
  voucher       BLOB,                      -- that output's bytes, what executeOutput takes
  executed_tx   BLOB,                      -- the executeOutput transaction (NULL if unknown: executed by someone else)
  executed_ms   INTEGER                    -- set once the voucher is executed on chain
);
CREATE INDEX IF NOT EXISTS periods_unexecuted ON periods(period) WHERE voucher_index IS NOT NULL AND executed_ms IS NULL;

-- How far the settlement follower has read the app's outputs.
CREATE TABLE IF NOT EXISTS settlement_cursor (
  one           INTEGER PRIMARY KEY CHECK (one = 1),
  next_output   INTEGER NOT NULL
);
INSERT OR IGNORE INTO settlement_cursor (one, next_output) VALUES (1, 0);
`;

// v4: dual mode with a legacy MVP node (mvp/mirror.ts) and the Cartesi pause switch
// (chain/cartesiSwitch.ts). `settings` holds small durable values: the pause flag, the mirror's
// cursor (readings up to it are settled with the legacy node) and its running totals,
// each updated in the transaction that changes what it counts.
const MIRROR_V4 = `
CREATE TABLE settings (
  name          TEXT PRIMARY KEY,
  value         NOT NULL                   -- an integer, or text
) WITHOUT ROWID;

-- One row per reading the mirror has tried or settled; a reading above the cursor with no
-- row (or a row whose legacy is NULL) is still to be sent.
CREATE TABLE mirror (
  reading_id    INTEGER PRIMARY KEY REFERENCES readings(id),
  attempts      INTEGER NOT NULL,          -- requests that got an answer (or a per-reading failure)
  http_status   INTEGER,                   -- the legacy node's last status
  legacy        TEXT CHECK (legacy IN ('accepted', 'refused', 'failed', 'skipped', 'history')),   -- NULL: retry at next_ms; history: migrated MVP rows, not sent
  next_ms       INTEGER,
  done_ms       INTEGER,
  compared      TEXT CHECK (compared IN ('agree', 'cartesi_only', 'legacy_only'))     -- once the dApp's verdict is known too
);
CREATE INDEX mirror_uncompared ON mirror(reading_id) WHERE compared IS NULL AND legacy IN ('accepted', 'refused');
CREATE INDEX mirror_divergent ON mirror(reading_id) WHERE compared IN ('cartesi_only', 'legacy_only');
`;

// v5: the key disclosures the owner asked for (PROTOCOL §10), one per disclosure input,
// and the dApp's aggregate from its 0x91 notice once the follower has read it. The
// period key itself is only in the input's payload (it is public once on chain).
const DISCLOSURES_V5 = `
CREATE TABLE disclosures (
  input_id      INTEGER PRIMARY KEY REFERENCES inputs(id),
  device        BLOB NOT NULL,             -- 20 bytes
  period        INTEGER NOT NULL,          -- disclosure period (PROTOCOL §1), u32
  voucher       INTEGER NOT NULL,          -- 1: the dApp was asked for the recordAggregate voucher
  requested_ms  INTEGER NOT NULL,
  notice_index  INTEGER,                   -- the 0x91 notice, once read; the fields below come from it
  count         TEXT,                      -- u64, decimal
  sum           TEXT,                      -- int128, decimal
  min           TEXT,                      -- i64, decimal
  max           TEXT,                      -- i64, decimal
  state_hash    BLOB
);
CREATE INDEX disclosures_by_period ON disclosures(device, period);
`;

// v6: a disclosure of a pruned day (PROTOCOL §11.1) goes in several 0x12 inputs (parts);
// the disclosure's id stays its first input's, and each part (the first included) has a
// row here in the order it must reach the chain. A key disclosure (0x11) has none.
const DISCLOSURE_PARTS_V6 = `
CREATE TABLE disclosure_parts (
  input_id      INTEGER PRIMARY KEY REFERENCES inputs(id),
  disclosure_id INTEGER NOT NULL REFERENCES disclosures(input_id),
  part          INTEGER NOT NULL,          -- 0, 1, … in submission order
  records       INTEGER NOT NULL,          -- pruned records the part carries
  last_seq      BLOB NOT NULL,             -- u64 big-endian: the seq of its last record (a later part must follow it)
  UNIQUE (disclosure_id, part)
);
`;

// v7: the gateway follows the chain about its devices (devices/deviceMarks.ts). A device whose
// registration the dApp rejected, or that was revoked on chain, is marked, and its readings
// still queued are withdrawn: outcome 'rejected' with input_id NULL, never packed. The
// queued index leaves withdrawn readings out. A registration rejected before this version
// is marked from its input's verdict; a revocation before it is not (the settlement
// follower's cursor is past its notice).
const CHAIN_STATUS_V7 = `
ALTER TABLE devices ADD COLUMN chain_status TEXT CHECK (chain_status IN ('registration_rejected', 'revoked'));
ALTER TABLE devices ADD COLUMN chain_reason TEXT;   -- the dApp's reject reason, or device_revoked
UPDATE devices SET chain_status = 'registration_rejected',
  chain_reason = (SELECT coalesce(i.reason, lower(i.node_status)) FROM inputs i WHERE i.id = devices.input_id)
  WHERE (SELECT i.node_status FROM inputs i WHERE i.id = devices.input_id) <> 'ACCEPTED';
DROP INDEX readings_queued;
CREATE INDEX readings_queued ON readings(id) WHERE input_id IS NULL AND outcome IS NULL;
`;

// v8: a disclosure the dApp rejected because one record did not open names that record
// in its report (PROTOCOL §10); the follower keeps it with the disclosure.
const FAILED_RECORD_V8 = `
ALTER TABLE disclosures ADD COLUMN failed_device BLOB;   -- 20 bytes
ALTER TABLE disclosures ADD COLUMN failed_seq TEXT;      -- u64, decimal
ALTER TABLE disclosures ADD COLUMN failed_record_hash BLOB;
`;

// v9: the chain can take back what it mined (a reorganisation, a restarted chain: DESIGN §8).
// An input's receipt block is kept and re-checked against the chain until the block is at or
// below the chain's finalized block (chain/inclusionWatch.ts); an inclusion the chain lost is
// cleared and the input sent again. Inclusions recorded before v9 were taken as final, and stay
// so (their block hash is filled in when the watch first looks at them).
const FINALITY_V9 = `
ALTER TABLE inputs ADD COLUMN block_hash BLOB;       -- the block its receipt named
ALTER TABLE inputs ADD COLUMN final_ms INTEGER;      -- when that block was seen at or below the finalized block
UPDATE inputs SET final_ms = coalesce(included_ms, created_ms) WHERE input_index IS NOT NULL;
CREATE INDEX inputs_unfinal ON inputs(block_number) WHERE input_index IS NOT NULL AND final_ms IS NULL;
CREATE INDEX inputs_by_block ON inputs(block_number) WHERE input_index IS NOT NULL;
CREATE INDEX inputs_mined_by_nonce ON inputs(nonce) WHERE input_index IS NOT NULL;
`;

// v10: the dApp's recordAggregate vouchers (PROTOCOL §10), whoever asked for the disclosure:
// the settlement follower reads them with the settlePeriod vouchers, and the voucher executor
// executes them too, so a disclosure's aggregate ends up recorded in LcoreSettlement.
const AGGREGATES_V10 = `
CREATE TABLE aggregate_vouchers (
  voucher_index INTEGER PRIMARY KEY,       -- the output's index
  device        BLOB NOT NULL,             -- 20 bytes
  period        INTEGER NOT NULL,          -- disclosure period (PROTOCOL §1)
  voucher       BLOB NOT NULL,             -- the output's bytes, what executeOutput takes
  executed_tx   BLOB,                      -- the executeOutput transaction, once seen (null if unknown)
  executed_ms   INTEGER                    -- when it was recorded executed
);
CREATE INDEX aggregate_vouchers_by_period ON aggregate_vouchers(device, period);
CREATE INDEX aggregate_vouchers_unexecuted ON aggregate_vouchers(voucher_index) WHERE executed_ms IS NULL;
`;

// v11: devices of another firmware's format (PROTOCOL §12; outbox/deviceFormatStore.ts) and
// lcore-device-sdk registrations waiting for the owner's approval (devicesdk/).
const DEVICE_FORMATS_V11 = `
CREATE TABLE device_formats (
  address       BLOB PRIMARY KEY REFERENCES devices(address),
  format        INTEGER NOT NULL,          -- 1 ioID-SDK, 2 JWS ES256
  scale         INTEGER NOT NULL,
  value_field   TEXT NOT NULL,
  sdk_id        TEXT UNIQUE                -- lcore-device-sdk device_id, else NULL
) WITHOUT ROWID;
CREATE TABLE sdk_pending (
  device_id     TEXT PRIMARY KEY,
  public_key    BLOB NOT NULL,             -- P-256 x || y from the DID document
  received_ms   INTEGER NOT NULL
) WITHOUT ROWID;
`;

// v12: the console's queries (outbox/fleetStore.ts, activityStore.ts, the overview) at 10,000
// devices and 1,000,000 readings, by index probes and ranges, not by scanning every reading:
// a device's rejected readings (rare, so the partial index costs the hot path little), the
// inputs processed in a window, and the readings received in the last hour (received_ms
// grows with the outbox, so its index is appended to at the right edge).
//
// And a fifth input kind, `device_op`: a key rotation (0x02) or revocation (0x03) the owner
// asks for from the console (console/deviceActions.ts). The CHECK cannot be altered, so the
// inputs table is rebuilt as in v2, with every column and index it has by v11.
const CONSOLE_V12 = `
CREATE TABLE inputs_v12 (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('registration', 'records', 'tick', 'disclosure', 'device_op')),
  payload       BLOB NOT NULL,
  created_ms    INTEGER NOT NULL,
  nonce         INTEGER,
  tx_hash       BLOB,
  block_number  INTEGER,
  input_index   INTEGER UNIQUE,
  gas_used      INTEGER,
  included_ms   INTEGER,
  node_status   TEXT,
  reason        TEXT,
  processed_ms  INTEGER,
  block_hash    BLOB,
  final_ms      INTEGER
);
INSERT INTO inputs_v12 SELECT id, kind, payload, created_ms, nonce, tx_hash, block_number, input_index,
  gas_used, included_ms, node_status, reason, processed_ms, block_hash, final_ms FROM inputs;
DROP TABLE inputs;
ALTER TABLE inputs_v12 RENAME TO inputs;
CREATE INDEX inputs_unincluded ON inputs(id) WHERE input_index IS NULL;
CREATE INDEX inputs_unprocessed ON inputs(input_index) WHERE input_index IS NOT NULL AND node_status IS NULL;
CREATE INDEX inputs_unfinal ON inputs(block_number) WHERE input_index IS NOT NULL AND final_ms IS NULL;
CREATE INDEX inputs_by_block ON inputs(block_number) WHERE input_index IS NOT NULL;
CREATE INDEX inputs_mined_by_nonce ON inputs(nonce) WHERE input_index IS NOT NULL;
CREATE INDEX inputs_device_ops ON inputs(id) WHERE kind = 'device_op';
CREATE INDEX IF NOT EXISTS readings_rejected ON readings(device, seq) WHERE outcome = 'rejected';
CREATE INDEX IF NOT EXISTS readings_by_received ON readings(received_ms);
CREATE INDEX IF NOT EXISTS inputs_processed ON inputs(processed_ms) WHERE processed_ms IS NOT NULL;
`;

export function openOutboxDb(path: string): OutboxDb {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // FULL: every commit fsyncs the WAL, so an answered reading survives power loss, not
  // only a process crash. Group commit (groupCommit.ts) makes that one fsync per batch.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: OutboxDb): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new Error(`outbox schema version ${version} is newer than this gateway's ${SCHEMA_VERSION}`);
  }
  // Foreign keys must be off around a table rebuild, and the pragma is a no-op inside a transaction.
  db.pragma("foreign_keys = OFF");
  try {
    db.transaction(() => {
      if (version < 1) db.exec(SCHEMA_V1);
      if (version < 2) db.exec(INPUTS_V2);
      if (version < 3) db.exec(SETTLEMENT_V3);
      if (version < 4) db.exec(MIRROR_V4);
      if (version < 5) db.exec(DISCLOSURES_V5);
      if (version < 6) db.exec(DISCLOSURE_PARTS_V6);
      if (version < 7) db.exec(CHAIN_STATUS_V7);
      if (version < 8) db.exec(FAILED_RECORD_V8);
      if (version < 9) db.exec(FINALITY_V9);
      if (version < 10) db.exec(AGGREGATES_V10);
      if (version < 11) db.exec(DEVICE_FORMATS_V11);
      if (version < 12) db.exec(CONSOLE_V12);
      const broken = db.pragma("foreign_key_check") as unknown[];
      if (broken.length > 0) throw new Error(`outbox migration left ${broken.length} dangling references`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  } finally {
    db.pragma("foreign_keys = ON");
  }
}
