// Pruning of settled records (PROTOCOL §11): what leaves the state, what stays, and that
// neither the decisions nor the state hash depend on the pruned rows.
import { describe, expect, it } from "vitest";
import { keccak256 } from "@lcore/wasm-core";
import { PRUNE_KEEP_SETTLED_PERIODS } from "@lcore/protocol/bounds";
import { periodsToPrune, prunePoint } from "@lcore/protocol/pruneRule";
import { encodeRecord, encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { SETTLEMENT_PERIOD_SECONDS, decodeSettlementNotice, encodeSettlementTick } from "@lcore/protocol/settlement";
import { EMPTY_FOLD, foldRecord, recomputeState } from "@lcore/dapp";
import { T0, notices, record, registration, reports, testDapp, testDevice, testOwner } from "./helpers.js";

const HOUR = SETTLEMENT_PERIOD_SECONDS;
const start = BigInt(T0) - (BigInt(T0) % HOUR);
const PERIODS = PRUNE_KEEP_SETTLED_PERIODS + 6;

/** Two devices, 3 records each per hour for PERIODS hours, then a tick; returns an independent model of the records fold. */
async function run() {
  const t = await testDapp();
  const devs = [testDevice("p1"), testDevice("p2")];
  const owner = testOwner("p");
  for (const d of devs)
    expect(
      t.advance(registration(d, owner.address), { msg_sender: owner.account.address, block_timestamp: Number(start) })
        .status,
    ).toBe("accept");
  let fold: Uint8Array = EMPTY_FOLD;
  let id = 0n;
  const settledFirst: bigint[] = [];
  let input = 2;
  for (let h = 0n; h < BigInt(PERIODS); h++) {
    const ts = start + h * HOUR + 5n;
    const recs = devs.flatMap((d) => [1n, 2n, 3n].map((k) => record(d, h * 10n + k, ts)));
    const r = t.advance(encodeRecordBatch(recs), { msg_sender: owner.account.address, block_timestamp: Number(ts) });
    expect(r.status).toBe("accept");
    for (const o of r.outputs)
      if (o.type === "notice" && o.payload[0] === 0x90)
        settledFirst.push(decodeSettlementNotice(o.payload).firstRecord);
    for (const rec of recs)
      fold = foldRecord(
        fold,
        ++id,
        BigInt(devs.indexOf(devs.find((d) => d.address === rec.device)!) + 1),
        BigInt(input),
        keccak256(encodeRecord(rec)),
      );
    input++;
  }
  expect(t.advance(encodeSettlementTick(), { block_timestamp: Number(start + BigInt(PERIODS) * HOUR) }).status).toBe(
    "accept",
  );
  return { ...t, devs, owner, fold, settledFirst, records: id };
}

describe("pruning settled records", () => {
  it("keeps the last settled periods, forgets older ones, and the state hash still covers every record ever accepted", async () => {
    const { dapp, inspect, devs, fold, records } = await run();
    const s = dapp.store.state();
    // The running fold is the fold over all records, pruned or not (an independent model).
    expect(s.recordsHash).toEqual(fold);
    expect(s.records).toBe(records);
    // From scratch: the saved fold at the prune point extended over the rows left.
    const again = recomputeState(dapp.store);
    expect(again.recordsHash).toEqual(s.recordsHash);
    expect(again.records).toBe(s.records);
    // All PERIODS periods are settled; only the last PRUNE_KEEP_SETTLED_PERIODS keep their rows.
    const stored = dapp.store.sql.one("SELECT count(*), min(id) FROM records", [])!;
    expect(stored[0]).toBe(BigInt(PRUNE_KEEP_SETTLED_PERIODS * 6));
    expect(stored[1]).toBe(BigInt((PERIODS - PRUNE_KEEP_SETTLED_PERIODS) * 6 + 1));
    // Per-device state survives: counts and the last seq, and the pruned record answers "pruned".
    const d = inspect(`device/0x${Buffer.from(devs[0]!.address).toString("hex")}`).body;
    expect(d.records).toBe(String(PERIODS * 3));
    expect(d.lastSeq).toBe(String((PERIODS - 1) * 10 + 3));
    const pruned = inspect(`record/0x${Buffer.from(devs[0]!.address).toString("hex")}/1`);
    expect(pruned).toMatchObject({ status: "reject", body: { error: "pruned" } });
    const lastPruned = dapp.store.sql.one(
      "SELECT max(period) FROM settled_periods WHERE first_record + record_count - 1 <= (SELECT pruned_through FROM prune_state)",
      [],
    )![0];
    expect(pruned.body.detail).toContain(
      `records 1..${(PERIODS - PRUNE_KEEP_SETTLED_PERIODS) * 6} (settled periods through ${lastPruned}`,
    );
    const gone = inspect(`period/${lastPruned}`);
    expect(gone).toMatchObject({
      status: "accept",
      body: { period: String(lastPruned), recordCount: "6", pruned: true },
    });
    expect(inspect(`period/${BigInt(lastPruned as bigint) + 1n}`).body.pruned).toBe(false);
    expect(inspect("period/1").body).toMatchObject({ error: "not_found" });
    const kept = inspect(`record/0x${Buffer.from(devs[0]!.address).toString("hex")}/${(PERIODS - 1) * 10 + 1}`);
    expect(kept.status).toBe("accept");
    expect(inspect(`record/0x${Buffer.from(devs[0]!.address).toString("hex")}/4`)).toMatchObject({
      status: "reject",
      body: { error: "pruned" },
    });
  });

  it("replay protection does not depend on pruned rows: a pruned seq is still stale", async () => {
    const { advance, devs, owner } = await run();
    const late = start + BigInt(PERIODS) * HOUR + 10n;
    const r = advance(encodeRecordBatch([record(devs[0]!, 1n, late)]), {
      msg_sender: owner.account.address,
      block_timestamp: Number(late),
    });
    expect(r.status).toBe("reject");
    expect(reports(r)[0]).toMatchObject({ type: "skipped", records: [{ reason: "seq_not_increasing" }] });
    const ok = advance(encodeRecordBatch([record(devs[0]!, 10_000n, late)]), {
      msg_sender: owner.account.address,
      block_timestamp: Number(late),
    });
    expect(ok.status).toBe("accept");
    expect(notices(ok)[0]).toMatchObject({ kind: "records_accepted" });
  });

  it("two twin runs agree on every state hash, and a rejected settling input prunes nothing", async () => {
    const a = await run();
    const b = await run();
    expect(b.dapp.stateHash()).toEqual(a.dapp.stateHash());
    expect(b.settledFirst).toEqual(a.settledFirst);
    // A settling input that is rejected rolls back its settlement and its pruning with it.
    const next = start + BigInt(PERIODS + 1) * HOUR;
    const late = record(a.devs[0]!, 20_000n, next);
    expect(
      a.advance(encodeRecordBatch([late]), { msg_sender: a.owner.account.address, block_timestamp: Number(next) })
        .status,
    ).toBe("accept");
    const rows = a.dapp.store.sql.one("SELECT count(*) FROM records", [])![0];
    const before = a.dapp.stateHash();
    const bad = a.advance(encodeRecordBatch([record(a.devs[0]!, 1n, next + HOUR)]), {
      msg_sender: a.owner.account.address,
      block_timestamp: Number(next + HOUR),
    });
    expect(bad.status).toBe("reject");
    expect(a.dapp.store.sql.one("SELECT count(*) FROM records", [])![0]).toBe(rows);
    expect(a.dapp.stateHash()).toEqual(before);
    expect(recomputeState(a.dapp.store).recordsHash).toEqual(a.dapp.store.state().recordsHash);
  });
});

describe("the pruning rule", () => {
  const p = (period: number, recordCount: bigint) => ({
    period: BigInt(period),
    firstRecord: 1n,
    recordCount,
    recordsRoot: new Uint8Array(32),
    stateHash: new Uint8Array(32),
    settledInput: 0n,
    recordsFold: new Uint8Array(32),
  });
  it("prunes the oldest settled periods until at most 24 remain holding at most 262,144 records", () => {
    expect(periodsToPrune(Array.from({ length: 24 }, (_, i) => p(i, 10n)))).toHaveLength(0);
    expect(periodsToPrune(Array.from({ length: 26 }, (_, i) => p(i, 10n))).map((x) => x.period)).toEqual([0n, 1n]);
    // A big fleet: the record budget decides, and the newest settled period may go too.
    expect(periodsToPrune([p(0, 200_000n), p(1, 100_000n), p(2, 50_000n)]).map((x) => x.period)).toEqual([0n]);
    expect(periodsToPrune([p(0, 300_000n)]).map((x) => x.period)).toEqual([0n]);
  });

  it("names the prune point the dApp reaches: the last record of the last period pruned", () => {
    // 26 settled periods of 10 records each, ids 1..260: the first two (ids 1..20) go.
    const settled = Array.from({ length: 26 }, (_, i) => ({ firstRecord: BigInt(10 * i + 1), recordCount: 10n }));
    expect(prunePoint(settled)).toBe(20n);
    expect(prunePoint(settled.slice(0, 24))).toBe(0n);
    // The same as applying the rule after each settlement, as the dApp does.
    let kept: typeof settled = [];
    let through = 0n;
    for (const s of settled) {
      kept.push(s);
      const gone = periodsToPrune(kept);
      if (gone.length > 0) through = gone.at(-1)!.firstRecord + gone.at(-1)!.recordCount - 1n;
      kept = kept.slice(gone.length);
    }
    expect(through).toBe(20n);
  });
});
