// Pruning in steps (PROTOCOL §11): a settlement moves the prune point and the window cut at
// once, the rows go a bounded step per accepted input. Two dApps get the same inputs: one
// deletes 4 rows a step, so a pruned period lingers for several inputs, the other drains its
// whole backlog after every input. Every output, read and the state hash must agree after
// every input, agree with what the inputs say, and the backlog must drain.
import { describe, expect, it } from "vitest";
import { sha256 } from "@lcore/wasm-core";
import { PRUNE_KEEP_SETTLED_PERIODS } from "@lcore/protocol/bounds";
import { prunePoint } from "@lcore/protocol/pruneRule";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import { encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { encodePrunedDisclosure } from "@lcore/protocol/prunedDisclosure";
import { type WireRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { recordsProof } from "@lcore/protocol/recordsTree";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { SETTLEMENT_PERIOD_SECONDS, decodeSettlementNotice, encodeSettlementTick } from "@lcore/protocol/settlement";
import {
  type AdvanceMetadata,
  Dapp,
  deviceDayCount,
  drainPruneBacklog,
  prunePendingRecords,
  prunedCount,
  recomputeState,
} from "@lcore/dapp";
import {
  APP,
  T0,
  deviceSummariesById,
  meta,
  record,
  registration,
  reports,
  sha,
  sign,
  testDevice,
  testOwner,
} from "./helpers.js";

const HOUR = SETTLEMENT_PERIOD_SECONDS;
const DAY = 86_400n;
const day = BigInt(T0) / DAY;
const dayStart = day * DAY;
/** A day 40 days back: before the window cut once pruning starts (31 days). */
const oldDay = day - 40n;
const STEP = 4;
const master = sha("steps master");
const app = fromHex(APP);

async function twins() {
  const lazy = await Dapp.create({ pruneStepRecords: STEP });
  const eager = await Dapp.create();
  const a = testDevice("st1");
  const b = testDevice("st2");
  const owner = testOwner("st");
  const seqs = new Map<string, bigint>([
    [toHex(a.address), 0n],
    [toHex(b.address), 0n],
  ]);
  let index = 0;
  /** The settled periods as the notices tell them: what the prune rule is applied to. */
  const settled: { firstRecord: bigint; recordCount: bigint }[] = [];
  const dump = (d: Dapp, sql: string) => {
    const rows: unknown[] = [];
    d.store.sql.all(sql, [], (v) => rows.push(v));
    return rows;
  };
  const inspect = (d: Dapp, path: string) => {
    const r = d.inspect(new TextEncoder().encode(path));
    return { status: r.status, body: reports(r)[0] };
  };
  /** Every read of both dApps, which must be equal whatever lazy's backlog. */
  const reads = (d: Dapp) => {
    const out: unknown[] = [toHex(d.stateHash())];
    for (const dev of [a, b]) {
      const addr = toHex(dev.address);
      out.push(inspect(d, `device/${addr}`));
      for (let s = 1n; s <= seqs.get(addr)! + 1n; s++) out.push(inspect(d, `record/${addr}/${s}`));
      for (const q of [
        "by=seq&from=0&to=1000&limit=100",
        "by=seq&from=3&to=1000&limit=5",
        "by=time&from=0&to=9999999999&limit=100",
      ])
        out.push(inspect(d, `records/${addr}?${q}`));
      for (const dd of [oldDay, day, day + 1n]) {
        const id = BigInt(dev === a ? 1 : 2);
        out.push([dd, prunedCount(d.store, id, dd), deviceDayCount(d.store, id, dd)]);
      }
    }
    for (let h = 0n; h < 30n; h++) out.push(inspect(d, `period/${dayStart / HOUR + h}`));
    out.push(inspect(d, "counters"));
    const again = recomputeState(d.store);
    expect(again.recordsHash).toEqual(d.store.state().recordsHash);
    return out;
  };

  /** The same input to both: equal outcomes, equal reads after it; the eager one drains. */
  const feed = (payload: Uint8Array, over: Partial<AdvanceMetadata> = {}) => {
    const m = meta({ input_index: index++, ...over });
    // What grouping the open period's records gives (before they can be pruned): the summaries a settlement lists.
    const open = lazy.store.sql.one("SELECT open_first_record, open_count FROM settlement_state", [])!;
    const summaries = deviceSummariesById(lazy.store, open[0] as bigint, open[1] as bigint);
    const r = lazy.advance(m, payload);
    expect(eager.advance(m, payload)).toEqual(r);
    drainPruneBacklog(eager.store, 1_000_000);
    expect(prunePendingRecords(eager.store)).toBe(0n);
    expect(reads(lazy)).toEqual(reads(eager));
    for (const o of r.outputs)
      if (o.type === "notice" && o.payload[0] === 0x90) {
        const n = decodeSettlementNotice(o.payload);
        expect(n.summaries).toEqual(summaries);
        settled.push({ firstRecord: n.firstRecord, recordCount: n.recordCount });
      }
    return r;
  };

  const sealedA = (ts: bigint, value: bigint): WireRecord => {
    const seq = seqs.get(toHex(a.address))! + 1n;
    seqs.set(toHex(a.address), seq);
    const body = encodeReadingBody({ nonce: sha(`st${seq}`).slice(0, 16), value, payload: new Uint8Array(0) });
    const header = { device: a.address, seq, timestamp: ts, bodyHash: sha256(body) };
    const digest = readingDigest(header);
    const periodKey = derivePeriodKey(master, app, a.address, Number(ts / DAY));
    const sealed = sealReading({ periodKey, app, device: a.address, seq, digest, body });
    return { ...header, signature: sign(a.secretKey, digest), sealed };
  };
  const plainB = (ts: bigint) => {
    const seq = seqs.get(toHex(b.address))! + 1n;
    seqs.set(toHex(b.address), seq);
    return record(b, seq, ts);
  };
  const plainA = (ts: bigint) => {
    const seq = seqs.get(toHex(a.address))! + 1n;
    seqs.set(toHex(a.address), seq);
    return record(a, seq, ts);
  };
  return { lazy, eager, a, b, owner, feed, dump, sealedA, plainA, plainB, settled };
}

/** Rows no read uses any more: records through the prune point, counts of days before the cut, dead summaries. */
const deadRows = (d: Dapp) =>
  prunePendingRecords(d.store) +
  (d.store.sql.one(
    `SELECT (SELECT count(*) FROM pruned_days WHERE day < s.cut_day) + (SELECT count(*) FROM device_days WHERE day < s.cut_day)
       + (SELECT count(*) FROM device_days_late WHERE epoch < s.epoch)
       + (SELECT count(*) FROM period_devices WHERE period <= (SELECT max(period) FROM settled_periods))
     FROM prune_steps s`,
    [],
  )![0] as bigint);
const backlogRows = (d: Dapp) => d.store.sql.one("SELECT count(*) FROM records", [])![0] as bigint;

describe("pruning in steps", () => {
  it("answers every read, output and state hash as a drained dApp while the backlog lasts, and drains it", async () => {
    const { lazy, eager, a, owner, feed, dump, sealedA, plainA, plainB, settled } = await twins();
    const by = owner.account.address;
    for (const d of [a, testDevice("st2")])
      expect(feed(registration(d, owner.address), { msg_sender: by, block_timestamp: Number(dayStart) }).status).toBe(
        "accept",
      );
    // Hours 0-2: 6 sealed records of A and 6 of B each (hour 0 also one of A stamped 40 days back);
    // later hours one of each. Each hour's leaves, in batch order, for the 0x12 proofs.
    const leaves = new Map<bigint, Uint8Array[]>();
    const entries: { settlementPeriod: bigint; leafIndex: number; record: WireRecord }[] = [];
    const HOURS = PRUNE_KEEP_SETTLED_PERIODS + 3;
    const hourBatch = (h: bigint) => {
      const ts = dayStart + h * HOUR + 7n;
      const recs: WireRecord[] = h === 0n ? [plainA(oldDay * DAY + 100n)] : [];
      const n = h < 3n ? 6 : 1;
      for (let k = 0; k < n; k++) {
        const rec = sealedA(ts + BigInt(k), BigInt(k) - 2n);
        if (ts < dayStart + DAY) entries.push({ settlementPeriod: ts / HOUR, leafIndex: recs.length, record: rec });
        recs.push(rec);
      }
      for (let k = 0; k < n; k++) recs.push(plainB(ts + BigInt(k)));
      leaves.set(
        ts / HOUR,
        recs.map((r) => recordHash(r)),
      );
      return { payload: encodeRecordBatch(recs), over: { msg_sender: by, block_timestamp: Number(ts) } };
    };
    for (let h = 0n; h < BigInt(PRUNE_KEEP_SETTLED_PERIODS + 1); h++) {
      const { payload, over } = hourBatch(h);
      expect(feed(payload, over).status).toBe("accept");
    }
    expect(backlogRows(lazy)).toBe(backlogRows(eager));
    // Hour 25's batch settles hour 24 and prunes hour 0 (13 records): one step of 4 is done.
    const h25 = hourBatch(BigInt(PRUNE_KEEP_SETTLED_PERIODS + 1));
    expect(feed(h25.payload, h25.over).status).toBe("accept");
    expect(prunePendingRecords(lazy.store)).toBe(13n - BigInt(STEP));
    expect(backlogRows(lazy)).toBe(backlogRows(eager) + 13n - BigInt(STEP));
    // The first record of A (seq 1, hour 0) is pruned though its row is still there.
    expect(lazy.store.sql.one("SELECT count(*) FROM records WHERE id <= 2", [])![0]).toBe(0n);
    expect(lazy.store.sql.one("SELECT count(*) FROM records WHERE id = 13", [])![0]).toBe(1n);
    const proofOf = (e: (typeof entries)[number]) => ({
      ...e,
      proof: recordsProof(leaves.get(e.settlementPeriod)!, e.leafIndex),
    });
    const later = { msg_sender: by, block_timestamp: Number(h25.over.block_timestamp) + 60 };

    // A rejected input does no step: nothing to settle.
    const steps = dump(lazy, "SELECT * FROM prune_steps");
    const rows = backlogRows(lazy);
    expect(reports(feed(encodeSettlementTick(), later))[0]).toMatchObject({ reason: "nothing_to_settle" });
    expect(dump(lazy, "SELECT * FROM prune_steps")).toEqual(steps);
    expect(backlogRows(lazy)).toBe(rows);
    // 0x11 of A's day is refused (its hour-0 records are pruned), whatever rows are left; no step either.
    const key = derivePeriodKey(master, app, a.address, Number(day));
    expect(
      reports(
        feed(encodeKeyDisclosure({ device: a.address, period: Number(day), periodKey: key, voucher: false }), later),
      )[0],
    ).toMatchObject({ reason: "period_pruned" });
    expect(backlogRows(lazy)).toBe(rows);
    // A 0x12 part: A's day has 6 pruned records (hour 0), counted from the rows not deleted yet.
    const part = (list: typeof entries) =>
      encodePrunedDisclosure({
        device: a.address,
        period: Number(day),
        periodKey: key,
        voucher: false,
        entries: list.map(proofOf),
      });
    expect(reports(feed(part(entries.slice(0, 3)), later))[0]).toMatchObject({ type: "disclosure_part", pruned: "6" });
    expect(backlogRows(lazy)).toBe(rows - BigInt(STEP));
    // A record of A stamped in the old day again: that day was cut, so its count starts anew at 1.
    expect(feed(encodeRecordBatch([plainA(oldDay * DAY + 200n)]), later).status).toBe("accept");
    expect(deviceDayCount(lazy.store, 1n, oldDay)).toBe(1n);
    expect(prunedCount(lazy.store, 1n, oldDay)).toBe(0n);

    // Hour 26 prunes hour 1 on top of what is left; hour 27's tick prunes hour 2, a new cut: the old day's count goes.
    const h26 = hourBatch(BigInt(PRUNE_KEEP_SETTLED_PERIODS + 2));
    expect(feed(h26.payload, h26.over).status).toBe("accept");
    expect(prunePendingRecords(lazy.store)).toBeGreaterThan(BigInt(STEP));
    const later26 = { msg_sender: by, block_timestamp: Number(h26.over.block_timestamp) + 60 };
    expect(reports(feed(part(entries.slice(3, 9)), later26))[0]).toMatchObject({
      type: "disclosure_part",
      pruned: "12",
    });
    const tickAt = Number(dayStart + BigInt(HOURS) * HOUR);
    expect(feed(encodeSettlementTick(), { block_timestamp: tickAt }).status).toBe("accept");
    expect(deviceDayCount(lazy.store, 1n, oldDay)).toBe(0n);
    // The last part completes the day: hours 0-2 pruned (18), the rest of the day still stored.
    const done = feed(part(entries.slice(9, 18)), { msg_sender: by, block_timestamp: tickAt + 60 });
    expect(done.status).toBe("accept");
    expect(done.outputs.some((o) => o.type === "notice")).toBe(true);

    // More inputs drain the backlog: the rows are what the rule keeps, the dead day counts and summaries are gone.
    let t = tickAt + 120;
    for (let i = 0; i < 20 && deadRows(lazy) > 0n; i++)
      expect(feed(encodeRecordBatch([plainB(BigInt(t))]), { msg_sender: by, block_timestamp: t++ }).status).toBe(
        "accept",
      );
    expect(deadRows(lazy)).toBe(0n);
    // What the rule keeps, from the notices alone: every record after the prune point.
    expect(backlogRows(lazy)).toBe(lazy.store.state().records - prunePoint(settled));
    expect(prunePendingRecords(lazy.store)).toBe(0n);
    for (const sql of [
      "SELECT * FROM records ORDER BY id",
      "SELECT * FROM device_records ORDER BY device_id",
      "SELECT * FROM pruned_days ORDER BY device_id, day",
      "SELECT * FROM device_days ORDER BY device_id, day",
      "SELECT * FROM device_days_late ORDER BY device_id, day",
      "SELECT * FROM period_devices ORDER BY period, device_id",
      "SELECT * FROM prune_steps",
    ])
      expect(dump(lazy, sql)).toEqual(dump(eager, sql));
    expect(dump(lazy, "SELECT * FROM device_days WHERE day < (SELECT cut_day FROM prune_steps)")).toEqual([]);
    expect(
      dump(lazy, "SELECT * FROM period_devices WHERE period <= (SELECT max(period) FROM settled_periods)"),
    ).toEqual([]);
  });
});
