import { describe, expect, it } from "vitest";
import { keccak256 } from "@lcore/wasm-core";
import { fromHex } from "@lcore/protocol/bytes";
import { encodeReadingBody, periodOf, readingDigest } from "@lcore/protocol/deviceMessage";
import { decodeDisclosureNotice, encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { recordsProof, recordsRoot, verifyRecordsProof } from "@lcore/protocol/recordsTree";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import {
  SETTLEMENT_PERIOD_SECONDS,
  decodeSettlePeriodCall,
  decodeSettlementNotice,
  encodeSettlementTick,
} from "@lcore/protocol/settlement";
import { deviceSummariesTree, verifyDeviceSummaryProof } from "@lcore/protocol/deviceSummaries";
import {
  APP,
  T0,
  type TestDevice,
  record,
  registration,
  reports,
  sha,
  sign,
  testDapp,
  testDevice,
  testOwner,
} from "./helpers.js";

const leaf = (i: number) => keccak256(Uint8Array.of(i));
/** Independent model: recursive halving over the padded list. */
function modelRoot(leaves: Uint8Array[]): Uint8Array {
  let n = 1;
  while (n < leaves.length) n *= 2;
  const padded = [...leaves, ...Array.from({ length: n - leaves.length }, () => new Uint8Array(32))];
  const rec = (xs: Uint8Array[]): Uint8Array =>
    xs.length === 1
      ? xs[0]!
      : keccak256(new Uint8Array([...rec(xs.slice(0, xs.length / 2)), ...rec(xs.slice(xs.length / 2))]));
  return rec(padded);
}

describe("records tree", () => {
  it("root and proofs match an independent model", () => {
    for (const n of [1, 2, 3, 5, 8, 13]) {
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      const root = recordsRoot(leaves);
      expect(root).toEqual(modelRoot(leaves));
      for (let i = 0; i < n; i++) {
        const proof = recordsProof(leaves, i);
        expect(verifyRecordsProof(root, n, leaves[i]!, i, proof)).toBe(true);
        expect(verifyRecordsProof(root, n, leaf(99), i, proof)).toBe(false);
      }
    }
  });
});

describe("period settlement", () => {
  it("settles a period once, on a tick or any later input, and nothing for an empty period", async () => {
    const { advance } = await testDapp();
    const dev = testDevice("s1");
    const owner = testOwner("s1");
    const t = BigInt(T0) - (BigInt(T0) % SETTLEMENT_PERIOD_SECONDS) + 10n;
    expect(
      advance(registration(dev, owner.address), { msg_sender: owner.account.address, block_timestamp: Number(t) })
        .status,
    ).toBe("accept");
    const recs = [record(dev, 1n, t - 5n), record(dev, 2n, t - 4n), record(dev, 3n, t - 3n)];
    expect(
      advance(encodeRecordBatch(recs), { msg_sender: owner.account.address, block_timestamp: Number(t) }).status,
    ).toBe("accept");
    // Same period: nothing due.
    expect(reports(advance(encodeSettlementTick(), { block_timestamp: Number(t + 5n) }))[0]).toMatchObject({
      reason: "nothing_to_settle",
    });
    const r = advance(encodeSettlementTick(), { block_timestamp: Number(t + SETTLEMENT_PERIOD_SECONDS) });
    expect(r.status).toBe("accept");
    const voucher = r.outputs.find((o) => o.type === "voucher")!;
    const notice = decodeSettlementNotice(r.outputs.find((o) => o.type === "notice")!.payload);
    expect(notice.recordCount).toBe(3n);
    expect(notice.period).toBe(t / SETTLEMENT_PERIOD_SECONDS);
    expect(notice.recordsRoot).toEqual(recordsRoot(recs.map((x) => recordHash(x))));
    expect(voucher.type === "voucher" && voucher.payload.length).toBe(4 + 6 * 32);
    // Settled once: a later tick has nothing to do; an empty period emits nothing.
    expect(
      reports(advance(encodeSettlementTick(), { block_timestamp: Number(t + 3n * SETTLEMENT_PERIOD_SECONDS) }))[0],
    ).toMatchObject({ reason: "nothing_to_settle" });
    // A record batch in a later period settles the previous one before its own records.
    const t2 = t + 4n * SETTLEMENT_PERIOD_SECONDS;
    expect(
      advance(encodeRecordBatch([record(dev, 4n, t2)]), {
        msg_sender: owner.account.address,
        block_timestamp: Number(t2),
      }).status,
    ).toBe("accept");
    const r2 = advance(encodeRecordBatch([record(dev, 5n, t2)]), {
      msg_sender: owner.account.address,
      block_timestamp: Number(t2 + SETTLEMENT_PERIOD_SECONDS),
    });
    expect(r2.outputs.map((o) => o.type)).toEqual(["voucher", "notice", "notice"]);
    expect(decodeSettlementNotice(r2.outputs[1]!.payload as Uint8Array).recordCount).toBe(1n);
  });
});

describe("device summaries (completeness, PROTOCOL §9.1)", () => {
  it("commit per device its count and first and last seq, by device address, in the notice and the voucher", async () => {
    const { advance } = await testDapp();
    const owner = testOwner("sum");
    const devs = [testDevice("sum-a"), testDevice("sum-b")];
    const t = BigInt(T0) - (BigInt(T0) % SETTLEMENT_PERIOD_SECONDS) + 10n;
    for (const d of devs)
      advance(registration(d, owner.address), { msg_sender: owner.account.address, block_timestamp: Number(t) });
    // Device a skips seq 3 (a reading it never delivered); device b sends two.
    const [a, b] = devs as [TestDevice, TestDevice];
    const recs = [record(a, 1n, t - 9n), record(b, 7n, t - 8n), record(a, 2n, t - 7n), record(a, 4n, t - 6n)];
    recs.push(record(b, 8n, t - 5n));
    const at = { msg_sender: owner.account.address, block_timestamp: Number(t) };
    expect(advance(encodeRecordBatch(recs), at).status).toBe("accept");
    const r = advance(encodeSettlementTick(), { block_timestamp: Number(t + SETTLEMENT_PERIOD_SECONDS) });
    const notice = decodeSettlementNotice(r.outputs.find((o) => o.type === "notice")!.payload);
    const expected = [
      { device: a.address, count: 3n, firstSeq: 1n, lastSeq: 4n },
      { device: b.address, count: 2n, firstSeq: 7n, lastSeq: 8n },
    ].sort((x, y) => (Buffer.compare(Buffer.from(x.device), Buffer.from(y.device)) < 0 ? -1 : 1));
    expect(notice.summaries).toEqual(expected);
    expect(notice.deviceCount).toBe(2n);
    const tree = deviceSummariesTree(expected);
    expect(notice.devicesRoot).toEqual(tree.root);
    const voucher = r.outputs.find((o) => o.type === "voucher")!;
    const call = decodeSettlePeriodCall(voucher.payload as Uint8Array)!;
    expect(call).toMatchObject({ devicesRoot: tree.root, deviceCount: 2n, recordCount: 5n });
    for (const [i, s] of expected.entries()) {
      expect(verifyDeviceSummaryProof(call.devicesRoot, 2, s, i, tree.proof(i))).toBe(true);
      expect(verifyDeviceSummaryProof(call.devicesRoot, 2, { ...s, count: s.count + 1n }, i, tree.proof(i))).toBe(
        false,
      );
    }
  });
});

describe("selective disclosure", () => {
  it("aggregates one device-period, rejects a wrong key, other periods stay sealed", async () => {
    const { advance, dapp } = await testDapp();
    const dev = testDevice("d1");
    const owner = testOwner("d1");
    const master = sha("master");
    const app = fromHex(APP);
    expect(advance(registration(dev, owner.address), { msg_sender: owner.account.address }).status).toBe("accept");
    const day = periodOf(BigInt(T0) - 86_400n);
    const sealed = (seq: bigint, ts: bigint, value: bigint) => {
      const body = encodeReadingBody({ nonce: sha(`n${seq}`).slice(0, 16), value, payload: new Uint8Array(0) });
      const bodyHash = sha256(body);
      const header = { device: dev.address, seq, timestamp: ts, bodyHash };
      const digest = readingDigest(header);
      const s = sealReading({
        periodKey: derivePeriodKey(master, app, dev.address, periodOf(ts)),
        app,
        device: dev.address,
        seq,
        digest,
        body,
      });
      return { ...header, signature: sign(dev.secretKey, digest), sealed: s };
    };
    const base = BigInt(day) * 86_400n;
    expect(
      advance(
        encodeRecordBatch([
          sealed(1n, base + 1n, -5n),
          sealed(2n, base + 2n, 7n),
          sealed(3n, base + 3n, 10n),
          sealed(4n, base + 86_401n, 1000n),
        ]),
        { msg_sender: owner.account.address },
      ).status,
    ).toBe("accept");
    const key = derivePeriodKey(master, app, dev.address, day);
    const before = dapp.stateHash();
    const wrong = advance(
      encodeKeyDisclosure({ device: dev.address, period: day, periodKey: sha("wrong"), voucher: true }),
      { msg_sender: owner.account.address },
    );
    expect(reports(wrong)[0]).toMatchObject({ reason: "bad_period_key" });
    // The key of `day` does not open the next day's record.
    const other = advance(
      encodeKeyDisclosure({ device: dev.address, period: day + 1, periodKey: key, voucher: false }),
      { msg_sender: owner.account.address },
    );
    expect(reports(other)[0]).toMatchObject({ reason: "bad_period_key" });
    expect(dapp.stateHash()).toEqual(before);
    const notOwner = advance(encodeKeyDisclosure({ device: dev.address, period: day, periodKey: key, voucher: false }));
    expect(reports(notOwner)[0]).toMatchObject({ reason: "not_owner" });
    const ok = advance(encodeKeyDisclosure({ device: dev.address, period: day, periodKey: key, voucher: true }), {
      msg_sender: owner.account.address,
    });
    expect(ok.status).toBe("accept");
    const n = decodeDisclosureNotice(ok.outputs.find((o) => o.type === "notice")!.payload);
    expect([n.count, n.sum, n.min, n.max]).toEqual([3n, 12n, -5n, 10n]);
    expect(ok.outputs.some((o) => o.type === "voucher")).toBe(true);
  });
});

import { sha256 } from "@lcore/wasm-core";
