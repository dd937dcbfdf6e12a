// The console's read queries over the fleet (console/fleetRoutes.ts): one page of devices
// in address order (keyset paging: the page after `after`, never an OFFSET that rescans
// what came before), filtered and searched in SQL, with each device's summary from index
// probes. Built for 10,000 devices and 1,000,000 readings (bench/console.mjs): every
// per-device figure is a probe of readings(device, seq) or of the v12 indexes, so a page
// costs its page size, whatever the size of the outbox.

import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import type { Statement } from "better-sqlite3";
import type { OutboxDb } from "./database.js";

/** What the device list shows of one device. */
export interface FleetDeviceRow {
  address: Buffer;
  metadata: string;
  registered_ms: number;
  chain_status: "registration_rejected" | "revoked" | null;
  chain_reason: string | null;
  /** The registration input's verdict (ACCEPTED, REJECTED, …), null while unread. */
  reg_status: string | null;
  reg_index: number | null;
  /** u64 big-endian of the newest reading the dApp accepted (rejected and in-flight readings do not count). */
  last_accepted_seq: Buffer | null;
  /** When the gateway received the device's newest reading. */
  last_seen_ms: number | null;
  /** The dApp's verdict on the newest reading it judged, and its reason. */
  last_outcome: "accepted" | "rejected" | null;
  last_reason: string | null;
  rejected: number;
}

export interface FleetFilter {
  /** Keyset cursor: devices whose address sorts after this one. */
  after?: Uint8Array;
  /** Address prefix [low, high): from a hex search. */
  addressFrom?: Uint8Array;
  addressTo?: Uint8Array | null;
  /** Substring of the metadata (a LIKE pattern, escaped by the caller). */
  metadataLike?: string;
  /** Devices holding a reading with this seq (u64 big-endian). */
  seq?: Uint8Array;
  status?: "pending" | "registered" | "registration_rejected" | "revoked";
  /** Devices with at least one rejected reading. */
  rejected?: boolean;
  /** Devices whose newest reading not rejected is not yet settled on chain. */
  unsettled?: boolean;
  /** Devices with no reading received at or after this time (ms). */
  silentSinceMs?: number;
  limit: number;
  /** Devices the not-settled filter examines at most (default UNSETTLED_SCAN). */
  scan?: number;
}

const SUMMARY = `
  SELECT d.address, d.metadata, d.registered_ms, d.chain_status, d.chain_reason,
    i.node_status AS reg_status, i.input_index AS reg_index,
    (SELECT r.seq FROM readings r WHERE r.device = d.address AND r.outcome = 'accepted'
       ORDER BY r.seq DESC LIMIT 1) AS last_accepted_seq,
    (SELECT r.received_ms FROM readings r WHERE r.device = d.address ORDER BY r.seq DESC LIMIT 1) AS last_seen_ms,
    (SELECT r.outcome FROM readings r WHERE r.device = d.address AND r.outcome IS NOT NULL
       ORDER BY r.seq DESC LIMIT 1) AS last_outcome,
    (SELECT r.reason FROM readings r WHERE r.device = d.address AND r.outcome IS NOT NULL
       ORDER BY r.seq DESC LIMIT 1) AS last_reason,
    (SELECT count(*) FROM readings r INDEXED BY readings_rejected
       WHERE r.device = d.address AND r.outcome = 'rejected') AS rejected
  FROM devices d LEFT JOIN inputs i ON i.id = d.input_id`;

/**
 * The device's newest reading that is not rejected is not settled: it awaits its verdict, or
 * its record (if the follower has read it) is at or after `firstUnsettled`, the first record
 * of the oldest period whose voucher is not executed (vouchers are executed in period order).
 * A device's readings settle in seq order, so if that one is settled, all are. Two index
 * probes per device.
 */
const UNSETTLED = `EXISTS (
  SELECT 1 FROM (SELECT r.seq, r.outcome FROM readings r WHERE r.device = d.address
      AND (r.outcome IS NULL OR r.outcome = 'accepted') ORDER BY r.seq DESC LIMIT 1) n
  WHERE n.outcome IS NULL
    OR coalesce((SELECT max(c.record_id) FROM chain_records c WHERE c.device = d.address AND c.seq = n.seq), ?) >= ?)`;

/** The first record not covered by an executed period (records beyond every period included). */
const FIRST_UNSETTLED = `SELECT coalesce(
  (SELECT min(first_record) FROM periods WHERE executed_ms IS NULL AND first_record IS NOT NULL AND record_count > 0),
  (SELECT max(first_record + record_count) FROM periods WHERE first_record IS NOT NULL AND record_count > 0),
  1) AS first`;

const STATUS: Record<NonNullable<FleetFilter["status"]>, string> = {
  pending: "d.chain_status IS NULL AND (i.node_status IS NULL OR i.node_status <> 'ACCEPTED')",
  registered: "d.chain_status IS NULL AND i.node_status = 'ACCEPTED'",
  registration_rejected: "d.chain_status = 'registration_rejected'",
  revoked: "d.chain_status = 'revoked'",
};

/** Devices one page of the not-settled filter examines at most (its cost: two index probes each). */
export const UNSETTLED_SCAN = 2_000;

/** A device's readings per disclosure day, over its newest `DAY_WINDOW_READINGS` readings. */
export interface DayRow {
  day: number;
  readings: number;
  accepted: number;
  rejected: number;
  first_ts: number;
  last_ts: number;
}

/** Bound of the per-day summary of the device page: the newest readings it looks at. */
export const DAY_WINDOW_READINGS = 10_000;

export class FleetStore {
  readonly #db: OutboxDb;
  /** Prepared once per distinct filter shape (at most 2^7 shapes). */
  readonly #pages = new Map<string, Statement<unknown[], FleetDeviceRow>>();
  readonly #one;
  readonly #days;
  readonly #rejectReasons;
  readonly #seqsBefore;
  readonly #firstUnsettled;
  readonly #nthAfter;
  readonly #deviceOps;
  readonly #nthFrom;
  readonly #disclosures;
  readonly #deviceDisclosures;

  constructor(db: OutboxDb) {
    this.#db = db;
    this.#deviceOps = db.prepare<[number], { id: number }>(
      "SELECT id FROM inputs INDEXED BY inputs_device_ops WHERE kind = 'device_op' ORDER BY id DESC LIMIT ?",
    );
    this.#nthAfter = db.prepare<[Uint8Array, number], { address: Buffer }>(
      "SELECT address FROM devices WHERE address > ? ORDER BY address LIMIT 1 OFFSET ?",
    );
    this.#nthFrom = db.prepare<[Uint8Array, number], { address: Buffer }>(
      "SELECT address FROM devices WHERE address >= ? ORDER BY address LIMIT 1 OFFSET ?",
    );
    this.#firstUnsettled = db.prepare<[], { first: number }>(FIRST_UNSETTLED);
    this.#seqsBefore = db.prepare<[Uint8Array, Uint8Array, number], { seq: Buffer }>(
      "SELECT seq FROM readings WHERE device = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    );
    this.#disclosures = db.prepare<[number, number], { input_id: number }>(
      "SELECT input_id FROM disclosures WHERE input_id < ? ORDER BY input_id DESC LIMIT ?",
    );
    this.#deviceDisclosures = db.prepare<[Uint8Array, number, number], { input_id: number }>(
      "SELECT input_id FROM disclosures WHERE device = ? AND input_id < ? ORDER BY input_id DESC LIMIT ?",
    );
    this.#one = db.prepare<[Uint8Array], FleetDeviceRow>(`${SUMMARY} WHERE d.address = ?`);
    this.#days = db.prepare<[Uint8Array, number], DayRow>(`
      SELECT timestamp / ${DISCLOSURE_PERIOD_SECONDS} AS day, count(*) AS readings,
        sum(outcome = 'accepted') AS accepted, sum(outcome = 'rejected') AS rejected,
        min(timestamp) AS first_ts, max(timestamp) AS last_ts
      FROM (SELECT timestamp, outcome FROM readings WHERE device = ? ORDER BY seq DESC LIMIT ?)
      GROUP BY day ORDER BY day DESC`);
    this.#rejectReasons = db.prepare<[Uint8Array], { reason: string | null; n: number }>(`
      SELECT reason, count(*) AS n FROM readings INDEXED BY readings_rejected
      WHERE device = ? AND outcome = 'rejected' GROUP BY reason ORDER BY n DESC, reason LIMIT 20`);
  }

  /**
   * One page of devices in address order; `limit + 1` rows are read so the caller knows
   * whether more follow. With the not-settled filter (two probes per device) at most
   * UNSETTLED_SCAN devices are examined: `scannedTo` is then the last one examined, where the
   * next page resumes, so a page whose matches are rare costs the same as any other.
   */
  page(f: FleetFilter): { rows: FleetDeviceRow[]; scannedTo: Buffer | null } {
    const where: string[] = [];
    const params: unknown[] = [];
    const scannedTo = f.unsettled === true ? this.#scanEnd(f) : null;
    if (scannedTo !== null) {
      where.push("d.address <= ?");
      params.push(scannedTo);
    }
    if (f.after !== undefined) {
      where.push("d.address > ?");
      params.push(f.after);
    }
    if (f.addressFrom !== undefined) {
      where.push("d.address >= ?");
      params.push(f.addressFrom);
      if (f.addressTo !== undefined && f.addressTo !== null) {
        where.push("d.address < ?");
        params.push(f.addressTo);
      }
    }
    if (f.metadataLike !== undefined) {
      where.push("d.metadata LIKE ? ESCAPE '\\'");
      params.push(f.metadataLike);
    }
    if (f.seq !== undefined) {
      where.push("EXISTS (SELECT 1 FROM readings r WHERE r.device = d.address AND r.seq = ?)");
      params.push(f.seq);
    }
    if (f.status !== undefined) where.push(STATUS[f.status]);
    if (f.rejected === true)
      where.push(
        "EXISTS (SELECT 1 FROM readings r INDEXED BY readings_rejected WHERE r.device = d.address AND r.outcome = 'rejected')",
      );
    if (f.unsettled === true) {
      where.push(UNSETTLED);
      const first = this.#firstUnsettled.get()?.first ?? 1;
      // A record the follower has not read yet counts as unsettled: any id at or above `first`.
      params.push(first, first);
    }
    if (f.silentSinceMs !== undefined) {
      where.push(
        "coalesce((SELECT r.received_ms FROM readings r WHERE r.device = d.address ORDER BY r.seq DESC LIMIT 1), 0) < ?",
      );
      params.push(f.silentSinceMs);
    }
    const sql = `${SUMMARY}${where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`} ORDER BY d.address LIMIT ?`;
    params.push(f.limit + 1);
    let statement = this.#pages.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], FleetDeviceRow>(sql);
      this.#pages.set(sql, statement);
    }
    return { rows: statement.all(...params), scannedTo };
  }

  /** The UNSETTLED_SCAN-th device from the page's start, or null if fewer remain. */
  #scanEnd(f: FleetFilter): Buffer | null {
    const from = f.after ?? (f.addressFrom === undefined ? new Uint8Array(0) : undefined);
    const row =
      f.after === undefined && f.addressFrom !== undefined
        ? this.#nthFrom.get(f.addressFrom, (f.scan ?? UNSETTLED_SCAN) - 1)
        : this.#nthAfter.get(from!, (f.scan ?? UNSETTLED_SCAN) - 1);
    if (row === undefined) return null;
    // Past the searched prefix: the range bound already stops the scan.
    if (f.addressTo !== undefined && f.addressTo !== null && Buffer.compare(row.address, f.addressTo) >= 0) return null;
    return row.address;
  }

  device(address: Uint8Array): FleetDeviceRow | undefined {
    return this.#one.get(address);
  }

  /** Readings per disclosure day (PROTOCOL §1), newest day first, over the device's newest DAY_WINDOW_READINGS. */
  days(address: Uint8Array): DayRow[] {
    return this.#days.all(address, DAY_WINDOW_READINGS);
  }

  /** Why the dApp rejected the device's readings, most frequent first (at most 20 reasons). */
  rejectReasons(address: Uint8Array): { reason: string; count: number }[] {
    return this.#rejectReasons.all(address).map((r) => ({ reason: r.reason ?? "unknown", count: r.n }));
  }

  /** The device's seqs below `before` (u64 big-endian), newest first. */
  seqsBefore(address: Uint8Array, before: Uint8Array, limit: number): Buffer[] {
    return this.#seqsBefore.all(address, before, limit).map((r) => r.seq);
  }

  /** Disclosure ids (their first input's id) below `before`, newest first; of one device if given. */
  disclosureIds(device: Uint8Array | undefined, before: number, limit: number): number[] {
    const rows =
      device === undefined ? this.#disclosures.all(before, limit) : this.#deviceDisclosures.all(device, before, limit);
    return rows.map((r) => r.input_id);
  }

  /** The newest device operations (rotations, revocations) of the whole fleet, newest first. */
  deviceOpIds(limit: number): number[] {
    return this.#deviceOps.all(limit).map((r) => r.id);
  }
}
