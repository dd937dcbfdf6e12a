// The node's own data on disk (SQLite via better-sqlite3): inputs as read from the chain, their
// processing results (status, outputs with hashes and proofs, reports), epochs with their
// claims, and the claims the chain accepted. The dApp's state is not here: it is rebuilt by
// replaying the inputs (DESIGN §7).
//
// Everything read from the chain keeps the block it came from, and inputs and the last scanned
// block keep that block's hash, so the node can tell when the chain changed under it and roll
// back to the common prefix (`rollback`): the store then holds only what the canonical chain has.
// An epoch is CLAIM_ACCEPTED only while the chain's ClaimAccepted for it, read at the node's
// confidence, is in `claims`.
//
// Writes that belong together (an input and its outputs and reports; a batch of inputs and the
// block they were scanned to; a rollback) are single transactions, so a crash never leaves half
// a result.

import Database from "better-sqlite3";
import { StateMismatchError } from "./errors.js";
import { type Hex, bytesToHex, hexToBytes } from "./hex.js";
import { decodeOutput } from "./outputs.js";

export type InputStatus = "NONE" | "ACCEPTED" | "REJECTED" | "EXCEPTION";
export type EpochStatus =
  | "OPEN"
  | "CLOSED"
  | "INPUTS_PROCESSED"
  | "CLAIM_COMPUTED"
  | "CLAIM_SUBMITTED"
  | "CLAIM_ACCEPTED"
  | "CLAIM_REJECTED";
export type OutputType = "Notice" | "Voucher" | "DelegateCallVoucher";

export interface NewInput {
  index: number;
  blockNumber: number;
  blockTimestamp: number;
  msgSender: Hex;
  prevRandao: Hex;
  chainId: number;
  payload: Hex;
  /** The EvmAdvance call as the InputBox emitted it. */
  raw: Hex;
  txHash: Hex;
  /** Hash of the block the InputAdded event was read from (null for inputs a version-1 store recorded). */
  blockHash: Hex | null;
}

export interface InputRow extends NewInput {
  epochIndex: number;
  status: InputStatus;
  exception: Hex | null;
  /** Root of the outputs tree right after this input was processed. */
  outputsHash: Hex | null;
  createdAt: string;
  updatedAt: string;
}

export interface OutputRow {
  index: number;
  inputIndex: number;
  epochIndex: number;
  raw: Hex;
  hash: Hex;
  type: OutputType | null;
  destination: Hex | null;
  /** 63 siblings against the claim of the output's epoch; null until that epoch is sealed. */
  siblings: Hex[] | null;
  executionTxHash: Hex | null;
  createdAt: string;
  updatedAt: string;
}

export interface ReportRow {
  index: number;
  inputIndex: number;
  epochIndex: number;
  payload: Hex;
  createdAt: string;
  updatedAt: string;
}

export interface EpochRow {
  index: number;
  /** Position among the epochs that have inputs (the only ones the node records). */
  virtualIndex: number;
  firstBlock: number;
  lastBlock: number;
  /** Inputs [inputLower, inputUpper) belong to this epoch. */
  inputLower: number;
  inputUpper: number;
  status: EpochStatus;
  outputsRoot: Hex | null;
  claimTxHash: Hex | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  rows: T[];
  total: number;
}

export interface PageQuery {
  limit: number;
  offset: number;
  descending?: boolean;
}

/** A block the node read, by number and hash. */
export interface BlockRef {
  number: number;
  hash: Hex;
}

/** An OutputExecuted event as read from the chain. */
export interface NewExecution {
  outputIndex: number;
  txHash: Hex;
  blockNumber: number;
}

/** A ClaimAccepted event of the application as read from the chain. */
export interface NewClaim {
  lastBlock: number;
  outputsRoot: Hex;
  txHash: Hex;
  blockNumber: number;
}

/** What one scan read from the chain, up to and including block `scannedTo`. */
export interface Scan {
  inputs: NewInput[];
  executions: NewExecution[];
  claims: NewClaim[];
  scannedTo: BlockRef;
  epochLength: number;
}

/** An input that does not continue the stored sequence: the chain changed under the node (or the RPC missed events). */
export interface SequenceBreak {
  index: number;
  expected: number;
  /** True when the store has an input at `index` and the chain's differs (not a gap). */
  conflict: boolean;
}

/** What a rollback removed. */
export interface Rollback {
  /** Inputs from this index on were removed. */
  inputsFrom: number;
  /** How many of the removed inputs the dApp had processed. */
  processedRemoved: number;
  /** Outputs from this index on were removed. */
  outputsFrom: number;
}

/** Identity of the rollup a state directory belongs to. */
export interface StoreIdentity {
  chainId: number;
  application: Hex;
  epochLength: number;
  deploymentBlock: number;
}

const SCHEMA_VERSION = "2";

const META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

/**
 * Version 1 kept no block hashes and took a claim as accepted from its own receipt. The
 * migration adds the columns, forgets where the scan stopped (the next scan reads the chain
 * again from the deployment block, filling in the hashes of the inputs it already has and the
 * ClaimAccepted events) and takes back every acceptance until the chain is read again.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE inputs ADD COLUMN block_hash TEXT;
ALTER TABLE executions ADD COLUMN block_number INTEGER;
UPDATE epochs SET status = 'CLAIM_SUBMITTED' WHERE status = 'CLAIM_ACCEPTED';
DELETE FROM meta WHERE key IN ('last_scanned_block', 'last_scanned_hash');
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inputs (
  idx INTEGER PRIMARY KEY,
  epoch_index INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  block_timestamp INTEGER NOT NULL,
  msg_sender TEXT NOT NULL,
  prev_randao TEXT NOT NULL,
  chain_id INTEGER NOT NULL,
  payload BLOB NOT NULL,
  raw BLOB NOT NULL,
  tx_hash TEXT NOT NULL,
  block_hash TEXT,
  status TEXT NOT NULL DEFAULT 'NONE',
  exception BLOB,
  outputs_hash TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inputs_epoch ON inputs(epoch_index);
CREATE INDEX IF NOT EXISTS inputs_sender ON inputs(msg_sender);
CREATE INDEX IF NOT EXISTS inputs_block ON inputs(block_number);
CREATE TABLE IF NOT EXISTS outputs (
  idx INTEGER PRIMARY KEY,
  input_index INTEGER NOT NULL,
  epoch_index INTEGER NOT NULL,
  raw BLOB NOT NULL,
  hash BLOB NOT NULL,
  type TEXT,
  destination TEXT,
  siblings BLOB,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outputs_input ON outputs(input_index);
CREATE INDEX IF NOT EXISTS outputs_epoch ON outputs(epoch_index);
-- OutputExecuted events, kept apart from outputs: an execution may be read before the output is
-- (re)computed, e.g. when a state directory is rebuilt.
CREATE TABLE IF NOT EXISTS executions (output_index INTEGER PRIMARY KEY, tx_hash TEXT NOT NULL, block_number INTEGER);
CREATE INDEX IF NOT EXISTS executions_block ON executions(block_number);
CREATE VIEW IF NOT EXISTS outputs_view AS
  SELECT outputs.*, executions.tx_hash AS execution_tx_hash FROM outputs LEFT JOIN executions ON executions.output_index = outputs.idx;
CREATE TABLE IF NOT EXISTS reports (
  idx INTEGER PRIMARY KEY,
  input_index INTEGER NOT NULL,
  epoch_index INTEGER NOT NULL,
  payload BLOB NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_input ON reports(input_index);
CREATE TABLE IF NOT EXISTS epochs (
  idx INTEGER PRIMARY KEY,
  virtual_index INTEGER NOT NULL,
  first_block INTEGER NOT NULL,
  last_block INTEGER NOT NULL,
  input_lower INTEGER NOT NULL,
  input_upper INTEGER NOT NULL,
  status TEXT NOT NULL,
  outputs_root TEXT,
  claim_tx_hash TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- ClaimAccepted events of the application, by the epoch's last block (one claim per epoch), kept
-- apart from epochs: a claim may be read before its epoch is sealed again after a rollback.
CREATE TABLE IF NOT EXISTS claims (
  last_block INTEGER PRIMARY KEY,
  outputs_root TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  block_number INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_block ON claims(block_number);
`;

type Row = Record<string, unknown>;
const blobHex = (value: unknown): Hex => bytesToHex(value as Uint8Array);
const now = () => new Date().toISOString();

function inputFrom(r: Row): InputRow {
  return {
    index: r.idx as number,
    epochIndex: r.epoch_index as number,
    blockNumber: r.block_number as number,
    blockTimestamp: r.block_timestamp as number,
    msgSender: r.msg_sender as Hex,
    prevRandao: r.prev_randao as Hex,
    chainId: r.chain_id as number,
    payload: blobHex(r.payload),
    raw: blobHex(r.raw),
    txHash: r.tx_hash as Hex,
    blockHash: (r.block_hash as Hex | null) ?? null,
    status: r.status as InputStatus,
    exception: r.exception === null ? null : blobHex(r.exception),
    outputsHash: (r.outputs_hash as Hex | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

function outputFrom(r: Row): OutputRow {
  const siblings = r.siblings as Uint8Array | null;
  return {
    index: r.idx as number,
    inputIndex: r.input_index as number,
    epochIndex: r.epoch_index as number,
    raw: blobHex(r.raw),
    hash: blobHex(r.hash),
    type: (r.type as OutputType | null) ?? null,
    destination: (r.destination as Hex | null) ?? null,
    siblings:
      siblings === null
        ? null
        : Array.from({ length: siblings.length / 32 }, (_, k) => bytesToHex(siblings.subarray(32 * k, 32 * k + 32))),
    executionTxHash: (r.execution_tx_hash as Hex | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

function reportFrom(r: Row): ReportRow {
  return {
    index: r.idx as number,
    inputIndex: r.input_index as number,
    epochIndex: r.epoch_index as number,
    payload: blobHex(r.payload),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

function epochFrom(r: Row): EpochRow {
  return {
    index: r.idx as number,
    virtualIndex: r.virtual_index as number,
    firstBlock: r.first_block as number,
    lastBlock: r.last_block as number,
    inputLower: r.input_lower as number,
    inputUpper: r.input_upper as number,
    status: r.status as EpochStatus,
    outputsRoot: (r.outputs_root as Hex | null) ?? null,
    claimTxHash: (r.claim_tx_hash as Hex | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

/** A WHERE clause built from optional filters, with its parameters. */
function where(filters: [string, unknown][]): { sql: string; params: unknown[] } {
  const used = filters.filter(([, value]) => value !== undefined);
  return {
    sql: used.length ? `WHERE ${used.map(([clause]) => clause).join(" AND ")}` : "",
    params: used.map(([, value]) => value),
  };
}

export class Store {
  private readonly db: Database.Database;

  private constructor(path: string) {
    this.db = new Database(path);
    // WAL: readers (the APIs) never block the writer (the node); NORMAL sync survives a crash
    // of the process, which is what a development node needs.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(META);
    const version = this.getMeta("schema_version");
    if (version === "1") {
      this.db.transaction(() => {
        this.db.exec(MIGRATE_1_TO_2);
        this.setMeta("schema_version", SCHEMA_VERSION);
      })();
    } else if (version !== undefined && version !== SCHEMA_VERSION) {
      throw new StateMismatchError(`the store at ${path} has schema ${version}, this devnet writes ${SCHEMA_VERSION}`);
    }
    this.db.exec(SCHEMA);
    if (version === undefined) this.setMeta("schema_version", SCHEMA_VERSION);
  }

  static open(path: string): Store {
    return new Store(path);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  /** Bind a fresh store to a rollup, or check that an existing one belongs to it. */
  bindIdentity(identity: StoreIdentity): void {
    const stored = this.getMeta("identity");
    const wanted = JSON.stringify({ ...identity, application: identity.application.toLowerCase() });
    if (stored === undefined) {
      this.setMeta("identity", wanted);
      return;
    }
    if (stored !== wanted) {
      throw new StateMismatchError(
        `the state directory belongs to another rollup (${stored}); this one is ${wanted}. Use another --state-dir or delete it.`,
      );
    }
  }

  /** Last block whose events are stored (-1 before the first scan). */
  lastScannedBlock(): number {
    return Number(this.getMeta("last_scanned_block") ?? "-1");
  }

  /** The last scanned block and its hash as read (null if unknown); undefined before the first scan. */
  checkpoint(): { number: number; hash: Hex | null } | undefined {
    const number = this.getMeta("last_scanned_block");
    if (number === undefined) return undefined;
    return { number: Number(number), hash: (this.getMeta("last_scanned_hash") as Hex | undefined) ?? null };
  }

  private setCheckpoint(number: number, hash: Hex | null): void {
    if (number < 0) {
      this.db.prepare("DELETE FROM meta WHERE key IN ('last_scanned_block', 'last_scanned_hash')").run();
      return;
    }
    this.setMeta("last_scanned_block", String(number));
    if (hash === null) this.db.prepare("DELETE FROM meta WHERE key = 'last_scanned_hash'").run();
    else this.setMeta("last_scanned_hash", hash.toLowerCase());
  }

  /** Indices are dense from 0, so the next index is MAX + 1: a rowid lookup, not a table scan. */
  private nextIndex(table: "inputs" | "outputs" | "reports"): number {
    return (this.db.prepare(`SELECT COALESCE(MAX(idx), -1) + 1 AS n FROM ${table}`).get() as { n: number }).n;
  }

  inputCount(): number {
    return this.nextIndex("inputs");
  }

  processedInputCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM inputs WHERE status != 'NONE'").get() as { n: number }).n;
  }

  /**
   * Store what was read from the chain up to block `scannedTo` in one transaction: inputs (which
   * must continue the stored sequence), the epochs they open or extend, output executions and
   * accepted claims; then mark the epochs whose claim the chain accepted. An input the store has
   * already, with the same bytes, is skipped (its block hash filled in if unknown); an input
   * that does not continue the sequence leaves the store untouched and comes back as `break`.
   */
  recordScan(scan: Scan): { accepted: EpochRow[]; break?: SequenceBreak } {
    const found = this.db.transaction((): SequenceBreak | undefined => {
      const broken = this.insertInputs(scan.inputs, scan.epochLength);
      if (broken) return broken;
      const insertExecution = this.db.prepare(
        "INSERT INTO executions (output_index, tx_hash, block_number) VALUES (?, ?, ?) ON CONFLICT(output_index) DO UPDATE SET tx_hash = excluded.tx_hash, block_number = excluded.block_number",
      );
      for (const e of scan.executions) insertExecution.run(e.outputIndex, e.txHash, e.blockNumber);
      const insertClaim = this.db.prepare(
        "INSERT INTO claims (last_block, outputs_root, tx_hash, block_number) VALUES (?, ?, ?, ?) ON CONFLICT(last_block) DO UPDATE SET outputs_root = excluded.outputs_root, tx_hash = excluded.tx_hash, block_number = excluded.block_number",
      );
      for (const c of scan.claims) insertClaim.run(c.lastBlock, c.outputsRoot.toLowerCase(), c.txHash, c.blockNumber);
      this.setCheckpoint(scan.scannedTo.number, scan.scannedTo.hash);
      return undefined;
    });
    const broken = found();
    if (broken) return { accepted: [], break: broken };
    return { accepted: this.markAccepted() };
  }

  /** Insert new inputs in order, opening or extending their epochs; the first that breaks the sequence stops it. */
  private insertInputs(inputs: NewInput[], epochLength: number): SequenceBreak | undefined {
    const insertInput =
      this.db.prepare(`INSERT INTO inputs (idx, epoch_index, block_number, block_timestamp, msg_sender, prev_randao, chain_id, payload, raw, tx_hash, block_hash, created_at, updated_at)
      VALUES (@idx, @epoch, @block, @timestamp, @sender, @randao, @chain, @payload, @raw, @tx, @blockHash, @now, @now)`);
    const getEpoch = this.db.prepare("SELECT idx FROM epochs WHERE idx = ?");
    const epochCount = this.db.prepare("SELECT COUNT(*) AS n FROM epochs");
    const insertEpoch =
      this.db.prepare(`INSERT INTO epochs (idx, virtual_index, first_block, last_block, input_lower, input_upper, status, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'OPEN', ?, ?)`);
    const extendEpoch = this.db.prepare("UPDATE epochs SET input_upper = ?, updated_at = ? WHERE idx = ?");
    let expected = this.inputCount();
    for (const input of inputs) {
      if (input.index < expected) {
        const stored = this.getInput(input.index)!;
        if (
          stored.raw !== input.raw.toLowerCase() ||
          (stored.blockHash !== null && stored.blockHash !== input.blockHash?.toLowerCase())
        )
          return { index: input.index, expected, conflict: true };
        if (stored.blockHash === null && input.blockHash !== null)
          this.db
            .prepare("UPDATE inputs SET block_hash = ? WHERE idx = ?")
            .run(input.blockHash.toLowerCase(), input.index);
        continue;
      }
      if (input.index > expected) return { index: input.index, expected, conflict: false };
      expected++;
      const epoch = Math.floor(input.blockNumber / epochLength);
      const t = now();
      insertInput.run({
        idx: input.index,
        epoch,
        block: input.blockNumber,
        timestamp: input.blockTimestamp,
        sender: input.msgSender,
        randao: input.prevRandao,
        chain: input.chainId,
        payload: hexToBytes(input.payload),
        raw: hexToBytes(input.raw),
        tx: input.txHash,
        blockHash: input.blockHash?.toLowerCase() ?? null,
        now: t,
      });
      if (getEpoch.get(epoch) === undefined) {
        const virtual = (epochCount.get() as { n: number }).n;
        insertEpoch.run(
          epoch,
          virtual,
          epoch * epochLength,
          (epoch + 1) * epochLength - 1,
          input.index,
          input.index + 1,
          t,
          t,
        );
      } else {
        extendEpoch.run(input.index + 1, t, epoch);
      }
    }
    return undefined;
  }

  /**
   * Mark CLAIM_ACCEPTED every sealed epoch whose claim (its last block and outputs root) the
   * chain accepted, as far as `claims` says; returns those epochs.
   */
  markAccepted(): EpochRow[] {
    const rows = this.db
      .prepare(
        `UPDATE epochs SET status = 'CLAIM_ACCEPTED', updated_at = ?,
           claim_tx_hash = (SELECT tx_hash FROM claims WHERE claims.last_block = epochs.last_block)
         WHERE status IN ('CLAIM_COMPUTED', 'CLAIM_SUBMITTED') AND EXISTS
           (SELECT 1 FROM claims WHERE claims.last_block = epochs.last_block AND claims.outputs_root = lower(epochs.outputs_root))
         RETURNING *`,
      )
      .all(now()) as Row[];
    return rows.map(epochFrom).sort((a, b) => a.index - b.index);
  }

  /** The claim the chain accepted for the epoch ending at `lastBlock`, if the store has read it. */
  acceptedClaim(lastBlock: number): { outputsRoot: Hex; txHash: Hex; blockNumber: number } | undefined {
    const row = this.db.prepare("SELECT * FROM claims WHERE last_block = ?").get(lastBlock) as Row | undefined;
    if (!row) return undefined;
    return {
      outputsRoot: row.outputs_root as Hex,
      txHash: row.tx_hash as Hex,
      blockNumber: row.block_number as number,
    };
  }

  /** Number of processed inputs read from blocks after `block` (what a rollback to `block` takes from the dApp). */
  processedInputCountAfter(block: number): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM inputs WHERE status != 'NONE' AND block_number > ?").get(block) as {
        n: number;
      }
    ).n;
  }

  /**
   * The `offset`-th input, newest first, among those read from blocks up to `maxBlock`: the
   * points where the node can check that the chain is still the one it read.
   */
  inputAtOrBelow(maxBlock: number, offset: number): InputRow | undefined {
    const row = this.db
      .prepare("SELECT * FROM inputs WHERE block_number <= ? ORDER BY idx DESC LIMIT 1 OFFSET ?")
      .get(maxBlock, offset) as Row | undefined;
    return row && inputFrom(row);
  }

  /**
   * Forget everything read from blocks after `block`, in one transaction: inputs with their
   * outputs and reports, executions and accepted claims; epochs left without inputs go, the
   * epoch that `block` falls in opens again (another input may join it), and an epoch whose
   * ClaimAccepted went is CLAIM_SUBMITTED again (the claimer checks whether the chain has it).
   * The scan resumes after `block`, whose hash is `hash` (null: not known).
   */
  rollback(block: number, hash: Hex | null): Rollback {
    return this.db.transaction((): Rollback => {
      const first = this.db.prepare("SELECT MIN(idx) AS i FROM inputs WHERE block_number > ?").get(block) as {
        i: number | null;
      };
      const inputsFrom = first.i ?? this.inputCount();
      const processedRemoved = this.processedInputCountAfter(block);
      const firstOutput = this.db
        .prepare("SELECT MIN(idx) AS i FROM outputs WHERE input_index >= ?")
        .get(inputsFrom) as {
        i: number | null;
      };
      const outputsFrom = firstOutput.i ?? this.outputCount();
      const run = (sql: string, ...params: unknown[]) => this.db.prepare(sql).run(...params);
      run("DELETE FROM outputs WHERE input_index >= ?", inputsFrom);
      run("DELETE FROM reports WHERE input_index >= ?", inputsFrom);
      run("DELETE FROM inputs WHERE idx >= ?", inputsFrom);
      run("DELETE FROM executions WHERE block_number > ?", block);
      run("DELETE FROM claims WHERE block_number > ?", block);
      run("DELETE FROM epochs WHERE input_lower >= ?", inputsFrom);
      const t = now();
      run("UPDATE epochs SET input_upper = ?, updated_at = ? WHERE input_upper > ?", inputsFrom, t, inputsFrom);
      run(
        "UPDATE outputs SET siblings = NULL, updated_at = ? WHERE epoch_index IN (SELECT idx FROM epochs WHERE last_block > ?)",
        t,
        block,
      );
      run(
        "UPDATE epochs SET status = 'OPEN', outputs_root = NULL, claim_tx_hash = NULL, updated_at = ? WHERE last_block > ?",
        t,
        block,
      );
      run(
        `UPDATE epochs SET status = 'CLAIM_SUBMITTED', updated_at = ? WHERE status = 'CLAIM_ACCEPTED' AND NOT EXISTS
           (SELECT 1 FROM claims WHERE claims.last_block = epochs.last_block AND claims.outputs_root = lower(epochs.outputs_root))`,
        t,
      );
      this.setCheckpoint(block, hash);
      return { inputsFrom, processedRemoved, outputsFrom };
    })();
  }

  /** The first input not processed yet. */
  nextUnprocessedInput(): InputRow | undefined {
    const row = this.db.prepare("SELECT * FROM inputs WHERE status = 'NONE' ORDER BY idx LIMIT 1").get() as
      | Row
      | undefined;
    return row && inputFrom(row);
  }

  /** Processed inputs in order, for the replay at start. */
  *processedInputs(): Generator<InputRow> {
    for (const row of this.db.prepare("SELECT * FROM inputs WHERE status != 'NONE' ORDER BY idx").iterate())
      yield inputFrom(row as Row);
  }

  /** Hashes of every output in index order, to rebuild the Merkle tree at start. */
  *outputHashes(): Generator<Uint8Array> {
    for (const row of this.db.prepare("SELECT hash FROM outputs ORDER BY idx").raw().iterate())
      yield (row as [Uint8Array])[0];
  }

  outputCount(): number {
    return this.nextIndex("outputs");
  }

  outputsOfInput(inputIndex: number): OutputRow[] {
    return (
      this.db.prepare("SELECT * FROM outputs_view WHERE input_index = ? ORDER BY idx").all(inputIndex) as Row[]
    ).map(outputFrom);
  }

  /** Store the result of processing one input: status, outputs (with their leaf hashes) and reports. */
  recordResult(
    input: InputRow,
    result: {
      status: Exclude<InputStatus, "NONE">;
      outputs: Hex[];
      hashes: Hex[];
      reports: Hex[];
      exception?: Hex;
      outputsHash: Hex;
    },
  ): void {
    const t = now();
    this.db.transaction(() => {
      const updated = this.db
        .prepare(
          "UPDATE inputs SET status = ?, exception = ?, outputs_hash = ?, updated_at = ? WHERE idx = ? AND status = 'NONE'",
        )
        .run(
          result.status,
          result.exception === undefined ? null : hexToBytes(result.exception),
          result.outputsHash,
          t,
          input.index,
        );
      if (updated.changes !== 1) throw new StateMismatchError(`input ${input.index} was already processed`);
      let outputIndex = this.outputCount();
      const insertOutput =
        this.db.prepare(`INSERT INTO outputs (idx, input_index, epoch_index, raw, hash, type, destination, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      result.outputs.forEach((raw, k) => {
        const decoded = decodeOutput(raw);
        const destination = decoded && decoded.type !== "Notice" ? decoded.destination.toLowerCase() : null;
        insertOutput.run(
          outputIndex++,
          input.index,
          input.epochIndex,
          hexToBytes(raw),
          hexToBytes(result.hashes[k]!),
          decoded?.type ?? null,
          destination,
          t,
          t,
        );
      });
      let reportIndex = this.nextIndex("reports");
      const insertReport = this.db.prepare(
        "INSERT INTO reports (idx, input_index, epoch_index, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      );
      for (const payload of result.reports)
        insertReport.run(reportIndex++, input.index, input.epochIndex, hexToBytes(payload), t, t);
    })();
  }

  /** Epochs the node has not finished with (no accepted claim yet), oldest first. */
  unfinishedEpochs(): EpochRow[] {
    return (
      this.db
        .prepare("SELECT * FROM epochs WHERE status NOT IN ('CLAIM_ACCEPTED', 'CLAIM_REJECTED') ORDER BY idx")
        .all() as Row[]
    ).map(epochFrom);
  }

  setEpochStatus(index: number, status: EpochStatus, claimTxHash?: Hex): void {
    if (claimTxHash === undefined)
      this.db.prepare("UPDATE epochs SET status = ?, updated_at = ? WHERE idx = ?").run(status, now(), index);
    else
      this.db
        .prepare("UPDATE epochs SET status = ?, claim_tx_hash = ?, updated_at = ? WHERE idx = ?")
        .run(status, claimTxHash, now(), index);
  }

  /** Seal an epoch: its claim (the outputs root) and the proof of each of its outputs against it. */
  sealEpoch(index: number, outputsRoot: Hex, siblings: Map<number, Hex[]>): void {
    const t = now();
    this.db.transaction(() => {
      const setSiblings = this.db.prepare("UPDATE outputs SET siblings = ?, updated_at = ? WHERE idx = ?");
      for (const [outputIndex, list] of siblings) {
        setSiblings.run(Buffer.concat(list.map((h) => Buffer.from(h.slice(2), "hex"))), t, outputIndex);
      }
      this.db
        .prepare("UPDATE epochs SET status = 'CLAIM_COMPUTED', outputs_root = ?, updated_at = ? WHERE idx = ?")
        .run(outputsRoot, t, index);
    })();
  }

  outputIndicesOfEpoch(epochIndex: number): number[] {
    return (
      this.db.prepare("SELECT idx FROM outputs WHERE epoch_index = ? ORDER BY idx").raw().all(epochIndex) as [number][]
    ).map(([i]) => i);
  }

  // ---- reads for the APIs ----

  getInput(index: number): InputRow | undefined {
    const row = this.db.prepare("SELECT * FROM inputs WHERE idx = ?").get(index) as Row | undefined;
    return row && inputFrom(row);
  }

  listInputs(
    filter: { epochIndex?: number; sender?: Hex; indexGreaterThan?: number; indexLowerThan?: number },
    page: PageQuery,
  ): Page<InputRow> {
    const w = where([
      ["epoch_index = ?", filter.epochIndex],
      ["msg_sender = ? COLLATE NOCASE", filter.sender],
      ["idx > ?", filter.indexGreaterThan],
      ["idx < ?", filter.indexLowerThan],
    ]);
    return this.page("inputs", w, page, inputFrom);
  }

  getOutput(index: number): OutputRow | undefined {
    const row = this.db.prepare("SELECT * FROM outputs_view WHERE idx = ?").get(index) as Row | undefined;
    return row && outputFrom(row);
  }

  listOutputs(
    filter: { epochIndex?: number; inputIndex?: number; types?: OutputType[]; destination?: Hex },
    page: PageQuery,
  ): Page<OutputRow> {
    const types = filter.types;
    if (types?.length === 0) return { rows: [], total: 0 }; // no type asked for: nothing matches
    const w = where([
      ["epoch_index = ?", filter.epochIndex],
      ["input_index = ?", filter.inputIndex],
      [`type IN (${(types ?? []).map(() => "?").join(", ")})`, types],
      ["destination = ?", filter.destination?.toLowerCase()],
    ]);
    // `type IN (…)` takes one parameter per type.
    const params = w.params.flatMap((p) => (Array.isArray(p) ? p : [p]));
    return this.page("outputs_view", { sql: w.sql, params }, page, outputFrom);
  }

  getReport(index: number): ReportRow | undefined {
    const row = this.db.prepare("SELECT * FROM reports WHERE idx = ?").get(index) as Row | undefined;
    return row && reportFrom(row);
  }

  listReports(filter: { epochIndex?: number; inputIndex?: number }, page: PageQuery): Page<ReportRow> {
    const w = where([
      ["epoch_index = ?", filter.epochIndex],
      ["input_index = ?", filter.inputIndex],
    ]);
    return this.page("reports", w, page, reportFrom);
  }

  getEpoch(index: number): EpochRow | undefined {
    const row = this.db.prepare("SELECT * FROM epochs WHERE idx = ?").get(index) as Row | undefined;
    return row && epochFrom(row);
  }

  listEpochs(filter: { status?: EpochStatus }, page: PageQuery): Page<EpochRow> {
    return this.page("epochs", where([["status = ?", filter.status]]), page, epochFrom);
  }

  lastAcceptedEpochIndex(): number | undefined {
    const row = this.db.prepare("SELECT MAX(idx) AS i FROM epochs WHERE status = 'CLAIM_ACCEPTED'").get() as {
      i: number | null;
    };
    return row.i ?? undefined;
  }

  private page<T>(table: string, w: { sql: string; params: unknown[] }, page: PageQuery, map: (r: Row) => T): Page<T> {
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table} ${w.sql}`).get(...w.params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM ${table} ${w.sql} ORDER BY idx ${page.descending ? "DESC" : "ASC"} LIMIT ? OFFSET ?`)
      .all(...w.params, page.limit, page.offset) as Row[];
    return { rows: rows.map(map), total };
  }
}
