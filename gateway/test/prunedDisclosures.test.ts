// Disclosure of a pruned day through the gateway (PROTOCOL §11.1) without a chain: the
// settlement follower's tables are filled as if it had read 25 and more settled periods,
// so the dApp's prune rule has pruned the day; POST /v1/disclosures then queues 0x12
// parts (not 0x11) carrying the day's pruned readings with proofs against the settled
// roots, each within the payload bound, and follows them to the last part's 0x91; a part
// left under way is continued by asking again. The devnet run is prunedDisclosure.e2e.test.ts.

import { DISCLOSURE_PERIOD_SECONDS, MAX_PAYLOAD_LENGTH, PRUNE_KEEP_SETTLED_PERIODS } from "@lcore/protocol/bounds";
import { encodeDisclosureNotice } from "@lcore/protocol/disclosure";
import { decodeInput } from "@lcore/protocol/input";
import type { PrunedDisclosure } from "@lcore/protocol/prunedDisclosure";
import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { recordsRoot, verifyRecordsProof } from "@lcore/protocol/recordsTree";
import { derivePeriodKey } from "@lcore/protocol/sealing";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Batcher, batcherSettings } from "../src/chain/batcher.js";
import { Follower } from "../src/chain/follower.js";
import type { NodeInput } from "../src/chain/nodeReader.js";
import type { SimDevice } from "../src/sim/device.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
const PERIOD = Math.floor(Date.now() / 1000 / DAY) - 2;
const READINGS = 60;
/** 1,000-byte payloads: ~1.4 KB an entry (record and a 6-sibling proof), so 60 of them need two parts. */
const PAYLOAD = 1000;
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as const;
const json = (o: object) => hex(Buffer.from(JSON.stringify(o)));

interface Chain {
  gw: TestGateway;
  d: SimDevice;
  nextRecord: bigint;
  nextPeriod: bigint;
  nextOutput: number;
  nextInputIndex: number;
}

async function withDay(): Promise<Chain> {
  const gw = await testGateway(cleanups);
  const d = await gw.device();
  for (let i = 0; i < READINGS; i++) {
    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/readings",
      payload: d.reading({ value: BigInt(i + 1), timestamp: PERIOD * DAY + 60 * i, payload: randomBytes(PAYLOAD) }),
    });
    expect(res.statusCode).toBe(202);
  }
  const batcher = new Batcher(gw.app.gateway, batcherSettings({ maxDelayMs: 0 }));
  while (gw.app.gateway.outbox.queued > 0) await batcher.tick(Date.now());
  return { gw, d, nextRecord: 1n, nextPeriod: 1000n, nextOutput: 0, nextInputIndex: 0 };
}

/** What the settlement follower would write for one settled period holding these record hashes. */
async function settle(c: Chain, records: { device: Uint8Array; seq: bigint; hash: Uint8Array }[]) {
  const { settlements } = c.gw.app.gateway.outbox;
  const first = c.nextRecord;
  const statements = records.map((r) =>
    settlements.recordStatement({
      recordId: c.nextRecord++,
      device: r.device,
      seq: r.seq,
      recordHash: r.hash,
      noticeIndex: c.nextOutput,
    }),
  );
  statements.push(
    settlements.noticeStatement({
      period: c.nextPeriod++,
      recordsRoot: recordsRoot(records.map((r) => r.hash)),
      recordCount: BigInt(records.length),
      firstRecord: first,
      stateHash: new Uint8Array(32),
      noticeIndex: ++c.nextOutput,
    }),
  );
  c.nextOutput++;
  await c.gw.app.gateway.outbox.write(statements);
}

/** The device's readings seq from…to as the chain's records. */
function mine(c: Chain, from: number, to: number) {
  const out = [];
  for (let seq = BigInt(from); seq <= BigInt(to); seq++) {
    const r = c.gw.app.gateway.outbox.readings.get(c.d.address, seq)!;
    out.push({ device: r.device, seq, hash: recordHash(encodeRecord(r)) });
  }
  return out;
}

/** One settled period holding one record of another device. */
const filler = (c: Chain) =>
  settle(c, [{ device: new Uint8Array(20).fill(9), seq: c.nextRecord, hash: new Uint8Array(randomBytes(32)) }]);

/** Marks every unincluded input mined at the next indexes, then lets the follower read `answer(payload)`. */
async function follow(c: Chain, answer: (payload: Uint8Array) => NodeInput) {
  const { outbox } = c.gw.app.gateway;
  let n = 0;
  for (const input of outbox.inputs.unincluded(100)) {
    const index = c.nextInputIndex++;
    await outbox.inputs.include(input.id, {
      txHash: new Uint8Array(32).fill(index + 1),
      blockNumber: 10 + index,
      inputIndex: index,
      gasUsed: 1,
      includedMs: 0,
    });
    n++;
  }
  const follower = new Follower(c.gw.app.gateway, {
    input: async (i) => answer(outbox.inputs.byInputIndex(i)!.payload),
  });
  expect(await follower.step()).toBe(n);
}

const disclose = (c: Chain, aggregateVoucher = false) =>
  c.gw.app.inject({
    method: "POST",
    url: "/v1/disclosures",
    headers: auth,
    payload: { device: c.d.hex, period: PERIOD, aggregateVoucher },
  });
const status = async (c: Chain, id: number) =>
  (await c.gw.app.inject({ method: "GET", url: `/v1/disclosures/${id}`, headers: auth })).json();

/** The 0x12 parts of disclosure `id`, decoded, in order. */
function parts(c: Chain, id: number): PrunedDisclosure[] {
  const { outbox } = c.gw.app.gateway;
  return outbox.disclosures.get(id)!.parts.map((p) => {
    const input = outbox.inputs.get(p.inputId)!;
    expect(input.kind).toBe("disclosure");
    expect(input.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_LENGTH);
    const decoded = decodeInput(input.payload);
    if (decoded.kind !== "pruned_disclosure") throw new Error(`part ${p.part} is ${decoded.kind}`);
    return decoded;
  });
}

/** The node's answer to a part: accepted, with a 0x91 if `last`, else the dApp's disclosure_part report. */
function answerParts(total: { count: bigint; sum: bigint }, last: (p: PrunedDisclosure) => boolean) {
  return (payload: Uint8Array): NodeInput => {
    const k = decodeInput(payload);
    if (k.kind !== "pruned_disclosure") return { status: "ACCEPTED", notices: [], reports: [] };
    if (!last(k))
      return {
        status: "ACCEPTED",
        notices: [],
        reports: [{ payload: json({ type: "disclosure_part", disclosed: "?", pruned: "?" }) }],
      };
    const notice = encodeDisclosureNotice({
      stateHash: new Uint8Array(32).fill(0xcd),
      device: k.device,
      period: k.period,
      periodKey: k.periodKey,
      count: total.count,
      sum: total.sum,
      min: 1n,
      max: total.count,
    });
    return { status: "ACCEPTED", notices: [{ index: 500, payload: hex(notice) }], reports: [] };
  };
}

const sumTo = (n: number) => BigInt((n * (n + 1)) / 2);

describe("POST /v1/disclosures of a pruned day", () => {
  it("queues 0x12 parts carrying the day's pruned readings with proofs against the settled roots; the last part's 0x91 is the aggregate", async () => {
    const c = await withDay();
    await settle(c, mine(c, 1, READINGS)); // period 1000: the whole day
    // 24 more settled periods: 25 settled, the oldest (1000) pruned.
    for (let i = 0; i < PRUNE_KEEP_SETTLED_PERIODS; i++) await filler(c);

    const res = await disclose(c, true);
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json();
    const decoded = parts(c, id);
    expect(decoded.length).toBe(2);
    const key = derivePeriodKey(c.gw.options.ownerKey.reveal(), c.gw.app.gateway.appBytes, c.d.address, PERIOD);
    const root = c.gw.app.gateway.outbox.settlements.period(1000n)!.recordsRoot!;
    const entries = decoded.flatMap((p) => {
      expect(p).toMatchObject({ period: PERIOD, voucher: true });
      expect(Buffer.from(p.periodKey).equals(Buffer.from(key))).toBe(true);
      return p.entries;
    });
    expect(entries.map((e) => e.record.seq)).toEqual(Array.from({ length: READINGS }, (_, i) => BigInt(i + 1)));
    for (const e of entries) {
      expect(e.settlementPeriod).toBe(1000n);
      expect(verifyRecordsProof(root, READINGS, recordHash(e.record.bytes), e.leafIndex, e.proof)).toBe(true);
    }
    expect(await status(c, id)).toMatchObject({ status: "queued", parts: 2, prunedRecords: READINGS });
    // The key leaves the gateway only in the inputs.
    expect(res.body + JSON.stringify(await status(c, id))).not.toContain(Buffer.from(key).toString("hex"));

    await follow(
      c,
      answerParts(
        { count: BigInt(READINGS), sum: sumTo(READINGS) },
        (p) => p.entries.at(-1)!.record.seq === BigInt(READINGS),
      ),
    );
    const done = await status(c, id);
    expect(done).toMatchObject({
      status: "accepted",
      parts: 2,
      prunedRecords: READINGS,
      noticeIndex: 500,
      inputIndex: c.gw.app.gateway.outbox.inputs.get(c.gw.app.gateway.outbox.disclosures.get(id)!.parts[1]!.inputId)!
        .inputIndex,
      aggregate: { count: String(READINGS), sum: sumTo(READINGS).toString() },
    });
    const twice = await disclose(c, true);
    expect([twice.statusCode, twice.json().code]).toEqual([409, "LCORE_GW_DISCLOSURE_EXISTS"]);
  });

  it("a day not pruned still goes as 0x11; a day past the 31-day window is refused before anything is queued", async () => {
    const c = await withDay();
    await settle(c, mine(c, 1, READINGS));
    for (let i = 0; i < PRUNE_KEEP_SETTLED_PERIODS - 1; i++) await filler(c); // 24 settled: nothing pruned
    const before = c.gw.app.gateway.outbox.inputs.countUnincluded();
    const old = await c.gw.app.inject({
      method: "POST",
      url: "/v1/disclosures",
      headers: auth,
      payload: { device: c.d.hex, period: PERIOD - 31 },
    });
    expect([old.statusCode, old.json().code]).toEqual([422, "LCORE_GW_DISCLOSURE_WINDOW_CLOSED"]);
    expect(c.gw.app.gateway.outbox.inputs.countUnincluded()).toBe(before);

    const res = await disclose(c);
    expect(res.statusCode).toBe(202);
    const d = c.gw.app.gateway.outbox.disclosures.get(res.json().id)!;
    expect(d.parts).toEqual([]);
    expect(decodeInput(d.input.payload).kind).toBe("key_disclosure");
    expect((await status(c, d.inputId)).parts).toBeUndefined();
  });

  it("a day pruned further while its parts travelled: disclosure_incomplete, continued by asking again with the records after the dApp's last", async () => {
    const c = await withDay();
    const half = READINGS / 2;
    await settle(c, mine(c, 1, half)); // period 1000
    await settle(c, mine(c, half + 1, READINGS)); // period 1001
    for (let i = 0; i < PRUNE_KEEP_SETTLED_PERIODS - 1; i++) await filler(c); // 25 settled: 1000 pruned
    const first = (await disclose(c)).json();
    expect(parts(c, first.id).flatMap((p) => p.entries.map((e) => e.record.seq))).toEqual(
      Array.from({ length: half }, (_, i) => BigInt(i + 1)),
    );

    // By the time the part is processed the dApp has pruned 1001 too: it counts 60 pruned, got 30.
    await follow(
      c,
      answerParts({ count: 0n, sum: 0n }, () => false),
    );
    expect(await status(c, first.id)).toMatchObject({
      status: "rejected",
      reason: "disclosure_incomplete",
      parts: 1,
      prunedRecords: half,
    });
    // The follower has not seen that settlement yet: nothing more to send.
    const early = await disclose(c);
    expect([early.statusCode, early.json().code, early.headers["retry-after"]]).toEqual([
      409,
      "LCORE_GW_DISCLOSURE_INCOMPLETE",
      "60",
    ]);
    // The continuation must carry the flags the dApp holds.
    await filler(c); // 26 settled: 1001 pruned as well
    const flags = await disclose(c, true);
    expect([flags.statusCode, flags.json().code]).toEqual([409, "LCORE_GW_DISCLOSURE_EXISTS"]);

    const next = (await disclose(c)).json();
    const continued = parts(c, next.id).flatMap((p) => p.entries);
    expect(continued.map((e) => e.record.seq)).toEqual(Array.from({ length: half }, (_, i) => BigInt(half + i + 1)));
    expect(continued.every((e) => e.settlementPeriod === 1001n)).toBe(true);
    await follow(
      c,
      answerParts({ count: BigInt(READINGS), sum: sumTo(READINGS) }, () => true),
    );
    expect(await status(c, next.id)).toMatchObject({ status: "accepted", aggregate: { count: String(READINGS) } });
  });
});
