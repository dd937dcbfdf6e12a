// Disclosure of a day whose records were pruned (0x12, PROTOCOL §11.1): the owner supplies
// the pruned sealed records with inclusion proofs against the settled roots, in parts.
import { describe, expect, it } from "vitest";
import { sha256 } from "@lcore/wasm-core";
import { MAX_PAYLOAD_LENGTH, PRUNE_KEEP_SETTLED_PERIODS } from "@lcore/protocol/bounds";
import { fromHex } from "@lcore/protocol/bytes";
import { encodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import { decodeDisclosureNotice, encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { encodePrunedDisclosure, encodePrunedDisclosureParts } from "@lcore/protocol/prunedDisclosure";
import { type WireRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { recordsProof } from "@lcore/protocol/recordsTree";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { SETTLEMENT_PERIOD_SECONDS, encodeSettlementTick } from "@lcore/protocol/settlement";
import { type AdvanceMetadata, type AdvanceOutcome, Dapp } from "@lcore/dapp";
import { RecordHistory } from "@lcore/protocol/recordHistory";
import { APP, T0, meta, record, registration, reports, sha, sign, testDapp, testDevice, testOwner } from "./helpers.js";

const HOUR = SETTLEMENT_PERIOD_SECONDS;
const DAY = 86_400n;
const day = BigInt(T0) / DAY;
const dayStart = day * DAY;
const HOURS = PRUNE_KEEP_SETTLED_PERIODS + 6; // the first 6 hours of the day get pruned
const master = sha("prune master");
const app = fromHex(APP);

async function setup() {
  const base = await testDapp();
  // Every input as the chain has it, with its outcome: what replay and the history read.
  const log: { payload: Uint8Array; over: Partial<AdvanceMetadata>; outcome: AdvanceOutcome; index: number }[] = [];
  let index = 0;
  const t = {
    ...base,
    advance: (payload: Uint8Array, over: Partial<AdvanceMetadata> = {}) => {
      const outcome = base.advance(payload, over);
      log.push({ payload, over, outcome, index: index++ });
      return outcome;
    },
  };
  const dev = testDevice("pd1");
  const other = testDevice("pd2");
  const owner = testOwner("pd");
  for (const d of [dev, other])
    expect(
      t.advance(registration(d, owner.address), {
        msg_sender: owner.account.address,
        block_timestamp: Number(dayStart),
      }).status,
    ).toBe("accept");
  const sealed = (seq: bigint, ts: bigint, value: bigint): WireRecord => {
    const body = encodeReadingBody({ nonce: sha(`pn${seq}`).slice(0, 16), value, payload: new Uint8Array(0) });
    const header = { device: dev.address, seq, timestamp: ts, bodyHash: sha256(body) };
    const digest = readingDigest(header);
    const s = sealReading({
      periodKey: derivePeriodKey(master, app, dev.address, Number(ts / DAY)),
      app,
      device: dev.address,
      seq,
      digest,
      body,
    });
    return { ...header, signature: sign(dev.secretKey, digest), sealed: s };
  };
  // Per settlement period (hour): the leaves in acceptance order, as a discloser reads them from the chain.
  const leaves = new Map<bigint, Uint8Array[]>();
  const mine: { rec: WireRecord; period: bigint; index: number }[] = [];
  let sum = 0n;
  let count = 0n;
  for (let h = 0n; h < BigInt(HOURS); h++) {
    const ts = dayStart + h * HOUR + 7n;
    const value = h * 3n - 20n;
    const rec = sealed(h + 1n, ts, value);
    if (ts < dayStart + DAY) {
      sum += value;
      count++;
    }
    const batch = [record(other, h + 1n, ts), rec];
    expect(
      t.advance(encodeRecordBatch(batch), { msg_sender: owner.account.address, block_timestamp: Number(ts) }).status,
    ).toBe("accept");
    const period = ts / HOUR;
    leaves.set(
      period,
      batch.map((r) => recordHash(r)),
    );
    mine.push({ rec, period, index: 1 });
  }
  expect(t.advance(encodeSettlementTick(), { block_timestamp: Number(dayStart + BigInt(HOURS) * HOUR) }).status).toBe(
    "accept",
  );
  const entry = (m: (typeof mine)[number]) => ({
    settlementPeriod: m.period,
    leafIndex: m.index,
    proof: recordsProof(leaves.get(m.period)!, m.index),
    record: m.rec,
  });
  const pruned = mine.slice(0, HOURS - PRUNE_KEEP_SETTLED_PERIODS).map(entry);
  const key = derivePeriodKey(master, app, dev.address, Number(day));
  return {
    ...t,
    log,
    dev,
    owner,
    key,
    pruned,
    kept: mine.slice(HOURS - PRUNE_KEEP_SETTLED_PERIODS).map(entry),
    expected: { count, sum },
  };
}

describe("disclosure of a pruned period (0x12)", () => {
  it("0x11 is refused once records of the day were pruned; 0x12 in parts, with proofs, gives the whole day's aggregate", async () => {
    const { advance, dapp, dev, owner, key, pruned, expected } = await setup();
    const from = { msg_sender: owner.account.address, block_timestamp: Number(dayStart + BigInt(HOURS) * HOUR + 60n) };
    expect(
      reports(
        advance(encodeKeyDisclosure({ device: dev.address, period: Number(day), periodKey: key, voucher: true }), from),
      )[0],
    ).toMatchObject({ reason: "period_pruned" });

    const d = { device: dev.address, period: Number(day), periodKey: key, voucher: true, entries: pruned };
    // Force several parts: each within the bound given (here 1,200 bytes, ≈ 3 entries).
    const parts = encodePrunedDisclosureParts(d, 1_200);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(1_200);
    expect(encodePrunedDisclosureParts(d, MAX_PAYLOAD_LENGTH)).toHaveLength(1);
    for (const p of parts.slice(0, -1)) {
      const r = advance(p, from);
      expect(r.status).toBe("accept");
      expect(reports(r)[0]).toMatchObject({ type: "disclosure_part", pruned: String(pruned.length) });
    }
    const last = advance(parts[parts.length - 1]!, from);
    expect(last.status).toBe("accept");
    const n = decodeDisclosureNotice(last.outputs.find((o) => o.type === "notice")!.payload);
    // Pruned and kept records of the day together: the day's 24 records.
    expect([n.count, n.sum]).toEqual([expected.count, expected.sum]);
    expect(n.count).toBe(24n);
    expect(n.stateHash).toEqual(dapp.stateHash());
    expect(last.outputs.some((o) => o.type === "voucher")).toBe(true);
    expect(reports(advance(parts[0]!, from))[0]).toMatchObject({ reason: "already_disclosed" });
  });

  it("checks every proof before it opens anything; a bad part changes nothing", async () => {
    const { advance, dapp, dev, owner, key, pruned, kept } = await setup();
    const from = { msg_sender: owner.account.address, block_timestamp: Number(dayStart + BigInt(HOURS) * HOUR + 60n) };
    const send = (entries: typeof pruned, k = key) =>
      advance(
        encodePrunedDisclosure({ device: dev.address, period: Number(day), periodKey: k, voucher: false, entries }),
        from,
      );
    const before = dapp.stateHash();
    const badProof = pruned.map((e, i) => (i === 2 ? { ...e, proof: [sha("not a sibling")] } : e));
    expect(reports(send(badProof))[0]).toMatchObject({ reason: "bad_record_proof" });
    const forged = pruned.map((e, i) =>
      i === 1 ? { ...e, record: { ...e.record, sealed: e.record.sealed.map((b) => b ^ 1) } } : e,
    );
    expect(reports(send(forged))[0]).toMatchObject({ reason: "bad_record_proof" });
    // A record still in the state is counted from there, never from the input.
    expect(reports(send([...pruned, kept[0]!]))[0]).toMatchObject({ reason: "bad_record_proof" });
    expect(reports(send([pruned[1]!, pruned[0]!]))[0]).toMatchObject({ reason: "disclosure_mismatch" });
    expect(reports(send(pruned, sha("wrong key")))[0]).toMatchObject({ reason: "bad_period_key" });
    expect(reports(send(pruned.slice(0, 2), key))[0]).toMatchObject({ type: "disclosure_part" });
    const afterPart = dapp.stateHash();
    expect(afterPart).not.toEqual(before);
    // A later part must carry the same key and follow the last seq.
    expect(reports(send(pruned.slice(1, 3)))[0]).toMatchObject({ reason: "disclosure_mismatch" });
    expect(dapp.stateHash()).toEqual(afterPart);
    // Another day's records were never pruned: 0x12 is refused there.
    expect(
      reports(
        advance(
          encodePrunedDisclosure({
            device: dev.address,
            period: Number(day) + 1,
            periodKey: key,
            voucher: false,
            entries: pruned,
          }),
          from,
        ),
      )[0],
    ).toMatchObject({ reason: "not_pruned" });
  });
});

describe("history off the chain across pruning", () => {
  it("a fresh dApp replaying the inputs agrees on every state hash and output; the history rebuilds pruned records and the 0x12 entries", async () => {
    const { log, dapp, dev, owner, key, pruned, expected } = await setup();
    const from = { msg_sender: owner.account.address, block_timestamp: Number(dayStart + BigInt(HOURS) * HOUR + 60n) };
    // Replay: every input again through a fresh dApp (what lcore replay does from the InputBox).
    const twin = await Dapp.create();
    const history = new RecordHistory();
    for (const e of log) {
      const again = twin.advance(meta({ input_index: e.index, ...e.over }), e.payload);
      expect(again).toEqual(e.outcome);
      if (again.status === "accept") {
        history.add(
          BigInt(e.index),
          e.payload,
          again.outputs.filter((o) => o.type === "notice").map((o) => o.payload as Uint8Array),
        );
      }
    }
    expect(twin.stateHash()).toEqual(dapp.stateHash());
    // The history knows the dApp's prune point and every record, pruned or not.
    expect(history.prunedThrough).toBe(dapp.store.sql.one("SELECT pruned_through FROM prune_state", [])![0]);
    expect(history.size).toBe(HOURS * 2);
    const first = history.record(dev.address, 1n)!;
    expect(recordHash(first.record.bytes)).toEqual(recordHash(pruned[0]!.record));
    expect([first.settlementPeriod, first.leafIndex]).toEqual([pruned[0]!.settlementPeriod, 1]);
    // The 0x12 entries built from the history alone are the ones a discloser needs.
    const entries = history.prunedEntries(dev.address, day);
    expect(entries.map((x) => [x.settlementPeriod, x.leafIndex, x.record.seq])).toEqual(
      pruned.map((x) => [x.settlementPeriod, x.leafIndex, x.record.seq]),
    );
    const parts = encodePrunedDisclosureParts(
      { device: dev.address, period: Number(day), periodKey: key, voucher: false, entries },
      MAX_PAYLOAD_LENGTH,
    );
    const r = twin.advance(meta({ input_index: log.length, ...from }), parts[0]!);
    expect(r.status).toBe("accept");
    const n = decodeDisclosureNotice(r.outputs.find((o) => o.type === "notice")!.payload);
    expect([n.count, n.sum]).toEqual([expected.count, expected.sum]);
  });
});
