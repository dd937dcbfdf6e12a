// SQL of period settlement over the tables in state/schema.ts (settlement_state,
// open_records_tree, settled_periods). Integers bind as int32
// numbers or bigints, never as doubles, as in state/store.ts.

import type { Store } from "../state/store.js";
import { type Value, int } from "../state/statements.js";

export interface OpenPeriod {
  period: bigint | null;
  firstRecord: bigint;
  count: bigint;
  fold: Uint8Array;
}

export interface SettledPeriod {
  period: bigint;
  firstRecord: bigint;
  recordCount: bigint;
  recordsRoot: Uint8Array;
  stateHash: Uint8Array;
  settledInput: bigint;
  /** recordsHash through the period's last record (settlement/prune.ts saves it when the period is pruned). */
  recordsFold: Uint8Array;
}

export function openPeriod(store: Store): OpenPeriod {
  const v = store.sql.one(
    "SELECT open_period, open_first_record, open_count, fold FROM settlement_state WHERE id = 1",
    [],
  )!;
  return {
    period: v[0] as bigint | null,
    firstRecord: v[1] as bigint,
    count: v[2] as bigint,
    fold: v[3] as Uint8Array,
  };
}

export function putOpenPeriod(store: Store, o: OpenPeriod): void {
  store.sql.run(
    "UPDATE settlement_state SET open_period = ?, open_first_record = ?, open_count = ?, fold = ? WHERE id = 1",
    [o.period === null ? null : int(o.period), int(o.firstRecord), int(o.count), o.fold],
  );
}

/** The open period's records frontier (a copy: append to it, then put it back). */
export function openFrontier(store: Store): Uint8Array {
  return (store.sql.one("SELECT frontier FROM open_records_tree WHERE id = 1", [])![0] as Uint8Array).slice();
}

export function putOpenFrontier(store: Store, frontier: Uint8Array): void {
  store.sql.run("UPDATE open_records_tree SET frontier = ? WHERE id = 1", [frontier]);
}

export function insertSettledPeriod(store: Store, p: SettledPeriod): void {
  store.sql.run(
    "INSERT INTO settled_periods (period, first_record, record_count, records_root, state_hash, settled_input, records_fold) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [
      int(p.period),
      int(p.firstRecord),
      int(p.recordCount),
      p.recordsRoot,
      p.stateHash,
      int(p.settledInput),
      p.recordsFold,
    ],
  );
}

/** The highest settled period, null before any. Periods are settled in increasing order (PROTOCOL §9), so it is the last one. */
export function lastSettledPeriod(store: Store): bigint | null {
  return store.sql.one("SELECT max(period) FROM settled_periods", [])![0] as bigint | null;
}

export function settledPeriod(store: Store, period: bigint): SettledPeriod | null {
  const v = store.sql.one(`SELECT ${SETTLED_COLUMNS} FROM settled_periods WHERE period = ?`, [int(period)]);
  return v === null ? null : toSettled(v);
}

const SETTLED_COLUMNS = "period, first_record, record_count, records_root, state_hash, settled_input, records_fold";

function toSettled(v: Value[]): SettledPeriod {
  return {
    period: v[0] as bigint,
    firstRecord: v[1] as bigint,
    recordCount: v[2] as bigint,
    recordsRoot: v[3] as Uint8Array,
    stateHash: v[4] as Uint8Array,
    settledInput: v[5] as bigint,
    recordsFold: v[6] as Uint8Array,
  };
}

/** Settled periods whose last record id is above `after` (those whose records are still in the state), oldest first. */
export function settledPeriodsAfter(store: Store, after: bigint): SettledPeriod[] {
  const out: SettledPeriod[] = [];
  store.sql.all(
    `SELECT ${SETTLED_COLUMNS} FROM settled_periods WHERE first_record + record_count - 1 > ? ORDER BY period`,
    [int(after)],
    (v) => out.push(toSettled(v)),
  );
  return out;
}

/** The settled period holding record `id`, if any. */
export function settledPeriodOfRecord(store: Store, id: bigint): SettledPeriod | null {
  const v = store.sql.one(
    `SELECT ${SETTLED_COLUMNS} FROM settled_periods WHERE first_record <= ? ORDER BY first_record DESC LIMIT 1`,
    [int(id)],
  );
  if (v === null) return null;
  const p = toSettled(v);
  return id < p.firstRecord + p.recordCount ? p : null;
}
