// The dApp's tables. STRICT, so a value of the wrong type is an error rather than a
// silent conversion; 64-bit values are INTEGER and stay below 2^63.
//
// They live in an attached in-memory database, `lcore`, not in sql.js's main database:
// sql.js keeps its main database as a file in Emscripten's MEMFS, a JS buffer that grows
// by copying (at 1,000,000 records the copies took the peak RSS from ~0.5 to ~0.8 GiB),
// whereas an in-memory database lives in SQLite's page cache in the WebAssembly memory,
// which grows in place. Queries name tables unqualified; main has none of these names.

export const STATE_SCHEMA = "lcore";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS lcore.devices (
  id               INTEGER PRIMARY KEY,      -- registration order from 1: the state hash folds rows in this order
  address          BLOB    NOT NULL UNIQUE,  -- 20 bytes, from the first registered key; the device's id for good
  public_key       BLOB    NOT NULL,         -- 64 bytes x || y, the current key
  owner            BLOB    NOT NULL,         -- 20 bytes
  metadata         BLOB    NOT NULL,         -- ≤ MAX_METADATA_LENGTH bytes, opaque
  status           INTEGER NOT NULL,         -- 0 active, 1 revoked
  nonce            INTEGER NOT NULL,         -- owner operations so far (rotations, revocation)
  registered_input INTEGER NOT NULL,
  registered_at    INTEGER NOT NULL,         -- block_timestamp, seconds
  updated_input    INTEGER NOT NULL
) STRICT;

-- The versions of device rows that a rotation or revocation replaced (devices/fold.ts): the
-- devices fold covers every version as written, so recomputeState rebuilds it from these and
-- the rows. One row per owner operation; never read by an input.
CREATE TABLE IF NOT EXISTS lcore.device_updates (
  input_index   INTEGER PRIMARY KEY,         -- the input that replaced the version
  written_input INTEGER NOT NULL,            -- the input that had written it (its updated_input)
  previous      BLOB    NOT NULL             -- deviceRowBytes of the replaced version
) STRICT;

CREATE TABLE IF NOT EXISTS lcore.records (
  id          INTEGER PRIMARY KEY,           -- acceptance order from 1: the state hash folds rows in this order
  device_id   INTEGER NOT NULL REFERENCES devices(id),
  seq         INTEGER NOT NULL,
  timestamp   INTEGER NOT NULL,
  body_hash   BLOB    NOT NULL,
  signature   BLOB    NOT NULL,
  sealed      BLOB    NOT NULL,
  input_index INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS lcore.records_by_seq ON records (device_id, seq);
CREATE INDEX IF NOT EXISTS lcore.records_by_time ON records (device_id, timestamp, seq);

-- One row: counters, and the running folds of the two tables above (derived from them,
-- kept so the state hash costs O(rows changed) per input).
CREATE TABLE IF NOT EXISTS lcore.state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  devices_hash     BLOB    NOT NULL,
  records_hash     BLOB    NOT NULL,
  devices          INTEGER NOT NULL,
  revoked_devices  INTEGER NOT NULL,
  records          INTEGER NOT NULL,
  batches          INTEGER NOT NULL,
  skipped_records  INTEGER NOT NULL,
  last_input_index INTEGER                   -- NULL before the first accepted input
) STRICT;

-- Period settlement and disclosure (PROTOCOL §9, §10; settlement/store.ts). One row: the
-- open settlement period (records accepted, not settled yet) and the append-only fold of
-- settled periods and disclosures; the state hash covers both (stateHash.ts).
CREATE TABLE IF NOT EXISTS lcore.settlement_state (
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  open_period       INTEGER,                 -- NULL when no record waits for settlement
  open_first_record INTEGER NOT NULL,        -- id of the open period's first record
  open_count        INTEGER NOT NULL,
  fold              BLOB    NOT NULL
) STRICT;
INSERT OR IGNORE INTO lcore.settlement_state (id, open_period, open_first_record, open_count, fold) VALUES (1, NULL, 0, 0, zeroblob(32));

-- The open period's records tree as records arrive (protocol/src/recordsFrontier.ts): one
-- node per level, FRONTIER_LENGTH bytes, so settling reads no records. A function of the open
-- period's records, which the state hash covers already.
CREATE TABLE IF NOT EXISTS lcore.open_records_tree (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  frontier BLOB    NOT NULL
) STRICT;
INSERT OR IGNORE INTO lcore.open_records_tree (id, frontier) VALUES (1, zeroblob(1056));

CREATE TABLE IF NOT EXISTS lcore.settled_periods (
  period        INTEGER PRIMARY KEY,         -- floor(block_timestamp / SETTLEMENT_PERIOD_SECONDS)
  first_record  INTEGER NOT NULL,
  record_count  INTEGER NOT NULL,
  records_root  BLOB    NOT NULL,
  state_hash    BLOB    NOT NULL,            -- the state hash at the close of the period
  settled_input INTEGER NOT NULL,
  records_fold  BLOB    NOT NULL             -- recordsHash through the period's last record: the saved fold once it is pruned
) STRICT;
-- What each device sent in a period (PROTOCOL §9.1, settlement/periodDevices.ts), upserted with
-- each accepted batch, so settling reads one row per device instead of grouping the records.
-- Rows of settled periods are dead; the prune steps delete them (settlement/pruneSteps.ts).
-- WITHOUT ROWID, keyed by address: a period's rows are stored in its devices tree's leaf
-- order, so settling reads them in one ordered scan, with no sort and no lookup per row.
CREATE TABLE IF NOT EXISTS lcore.period_devices (
  period    INTEGER NOT NULL,
  address   BLOB    NOT NULL,                -- the device's (devices.address)
  device_id INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq  INTEGER NOT NULL,
  PRIMARY KEY (period, address)
) STRICT, WITHOUT ROWID;

-- Pruning (PROTOCOL §11, settlement/prune.ts). Everything below is a function of the accepted
-- history, which recordsHash already commits to, so none of it enters the state hash.
-- Per device: what decisions need once its records leave the state.
CREATE TABLE IF NOT EXISTS lcore.device_records (
  device_id      INTEGER PRIMARY KEY,
  last_seq       INTEGER NOT NULL,           -- the last accepted seq (replay protection)
  records        INTEGER NOT NULL,           -- records ever accepted
  pruned_max_seq INTEGER                     -- the highest pruned seq; NULL while none is pruned
) STRICT;
-- Per device and disclosure day: how many of its records were pruned, so a disclosure of
-- pruned records (0x12) can tell it got all of them. Kept for DISCLOSURE_WINDOW_DAYS.
CREATE TABLE IF NOT EXISTS lcore.pruned_days (
  device_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,                -- disclosure period, floor(timestamp / 86,400)
  count     INTEGER NOT NULL,
  PRIMARY KEY (device_id, day)
) STRICT;
-- Per device and disclosure day: records accepted, for the cap MAX_DEVICE_DAY_RECORDS
-- (records/deviceDays.ts). Days before the disclosure window go with pruned_days' (by the day index).
CREATE TABLE IF NOT EXISTS lcore.device_days (
  device_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,                -- disclosure period, floor(timestamp / 86,400)
  count     INTEGER NOT NULL,
  PRIMARY KEY (device_id, day)
) STRICT;
CREATE INDEX IF NOT EXISTS lcore.device_days_by_day ON device_days (day);
-- Disclosures of pruned records under way (0x12 parts received, PROTOCOL §11.1): the
-- running aggregate of the pruned records so far; the row goes when the last part arrives.
CREATE TABLE IF NOT EXISTS lcore.disclosure_parts (
  device_id   INTEGER NOT NULL,
  period      INTEGER NOT NULL,              -- disclosure period (day)
  period_key  BLOB    NOT NULL,              -- public: it is in the first part's input
  voucher     INTEGER NOT NULL,
  records     INTEGER NOT NULL,              -- pruned records disclosed so far
  sum         BLOB    NOT NULL,              -- int128
  min         INTEGER NOT NULL,
  max         INTEGER NOT NULL,
  last_seq    INTEGER NOT NULL,              -- parts list records in increasing seq, so none counts twice
  PRIMARY KEY (device_id, period)
) STRICT;
-- One row: records with id ≤ pruned_through are gone; fold = recordsHash through that id.
CREATE TABLE IF NOT EXISTS lcore.prune_state (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  pruned_through INTEGER NOT NULL,
  fold           BLOB    NOT NULL
) STRICT;
INSERT OR IGNORE INTO lcore.prune_state (id, pruned_through, fold) VALUES (1, 0, zeroblob(32));
-- Pruning in steps (settlement/pruneSteps.ts): the prune point and the window cut above are
-- logical; the rows they forget go PRUNE_STEP_RECORDS at a time. One row: records with
-- id ≤ deleted_through are folded and deleted; days before cut_day are closed (set by the
-- last settlement that pruned, whose count is epoch).
CREATE TABLE IF NOT EXISTS lcore.prune_steps (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  deleted_through INTEGER NOT NULL,
  cut_day         INTEGER NOT NULL,
  epoch           INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO lcore.prune_steps (id, deleted_through, cut_day, epoch) VALUES (1, 0, 0, 0);
CREATE INDEX IF NOT EXISTS lcore.pruned_days_by_day ON pruned_days (day);
-- device_days of days already before cut_day, written since the last cut (a record may be
-- stamped long before its block): counted while epoch is the current one, dead after the
-- next cut, as if a cut had deleted them; device_days itself then only holds days ≥ some cut.
CREATE TABLE IF NOT EXISTS lcore.device_days_late (
  device_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  epoch     INTEGER NOT NULL,
  PRIMARY KEY (device_id, day)
) STRICT;
CREATE INDEX IF NOT EXISTS lcore.device_days_late_by_epoch ON device_days_late (epoch);

CREATE TABLE IF NOT EXISTS lcore.disclosures (
  device_id    INTEGER NOT NULL,
  period       INTEGER NOT NULL,             -- disclosure period (PROTOCOL §1)
  count        INTEGER NOT NULL,
  sum          BLOB    NOT NULL,             -- int128, 16 bytes two's complement big-endian
  min          INTEGER NOT NULL,
  max          INTEGER NOT NULL,
  voucher      INTEGER NOT NULL,             -- 1 if the aggregate voucher was emitted
  input_index  INTEGER NOT NULL,
  PRIMARY KEY (device_id, period)
) STRICT;

-- The wallet (wallet/store.ts): balances, the bounties that lock funds, and the one-row
-- hash of both, which exists only while either table has rows (folded into the state hash then).
CREATE TABLE IF NOT EXISTS lcore.balances (
  owner  BLOB NOT NULL,                 -- 20 bytes
  asset  BLOB NOT NULL,                 -- 20 bytes: the token, or 20 zero bytes for Ether
  amount BLOB NOT NULL,                 -- uint256, 32 bytes big-endian, never zero (the row is deleted)
  leaf   INTEGER NOT NULL,              -- its slot in the balances tree (tableTrees.ts), handed out when the row is created
  PRIMARY KEY (owner, asset)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS lcore.bounties (
  id           INTEGER PRIMARY KEY,     -- from 1, in opening order
  requester    BLOB    NOT NULL,        -- 20 bytes: the depositor
  asset        BLOB    NOT NULL,        -- 20 bytes
  amount       BLOB    NOT NULL,        -- uint256, 32 bytes big-endian
  tier         INTEGER NOT NULL,
  elements     BLOB    NOT NULL,        -- i64 big-endian × count
  target       BLOB    NOT NULL,        -- i64 big-endian
  deadline     INTEGER NOT NULL,        -- block time, seconds
  status       INTEGER NOT NULL,        -- 0 open, 1 paid, 2 refunded
  solver       BLOB,                    -- 20 bytes once paid
  opened_input INTEGER NOT NULL,
  closed_input INTEGER
) STRICT;

CREATE TABLE IF NOT EXISTS lcore.wallet (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  hash BLOB NOT NULL
) STRICT;

-- The submitter allow-list (PROTOCOL §3.6, submitters/store.ts) and the one-row hash of it,
-- which exists only while the list has rows (folded into the state hash then).
CREATE TABLE IF NOT EXISTS lcore.submitters (
  owner         BLOB    NOT NULL,           -- 20 bytes: the devices' owner
  submitter     BLOB    NOT NULL,           -- 20 bytes: an allowed msg_sender of record batches
  granted_input INTEGER NOT NULL,
  leaf          INTEGER NOT NULL,           -- its slot in the submitters tree (tableTrees.ts), handed out at the grant
  PRIMARY KEY (owner, submitter)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS lcore.submitters_state (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  hash BLOB NOT NULL
) STRICT;

-- The Merkle trees over balances, bounties and submitters (state/tableTrees.ts, PROTOCOL §5,
-- §8.5): per tree its leaf count, and every node that is not an empty subtree's (the root at
-- level 32). Derived from those tables; the state hash covers them through the wallet and
-- submitters hashes.
CREATE TABLE IF NOT EXISTS lcore.table_trees (
  tree   INTEGER PRIMARY KEY,                -- 1 balances, 2 bounties, 3 submitters
  leaves INTEGER NOT NULL                    -- slots handed out, never reused
) STRICT;
CREATE TABLE IF NOT EXISTS lcore.table_tree_nodes (
  tree  INTEGER NOT NULL,
  level INTEGER NOT NULL,                    -- 0 leaves .. 32 the root
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (tree, level, idx)
) STRICT, WITHOUT ROWID;

-- Devices of another firmware's format (PROTOCOL §12, devices/formats.ts): one row per device
-- registered with 0x06, and the one-row fold over them, which exists only once there is one.
CREATE TABLE IF NOT EXISTS lcore.device_formats (
  device_id   INTEGER PRIMARY KEY,            -- devices.id
  format      INTEGER NOT NULL,               -- 1 ioID-SDK, 2 JWS ES256
  scale       INTEGER NOT NULL,               -- value = field × 10^scale
  value_field BLOB    NOT NULL                -- ASCII field name; empty for ioID-SDK
) STRICT;

CREATE TABLE IF NOT EXISTS lcore.device_formats_state (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  hash BLOB NOT NULL
) STRICT;
`;
