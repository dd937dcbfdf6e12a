// Only the owner and the submitters it allows can spend its devices' seqs (PROTOCOL §3.6).
// A device signs the reading's digest, not the sealed bytes, so without this rule anyone
// who saw a signed record before it was mined could post it first with garbage `sealed`:
// the real record would be refused as a replay and its day could never be disclosed.
import { describe, expect, it } from "vitest";
import { sha256 } from "@lcore/wasm-core";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeReadingBody, periodOf, readingDigest } from "@lcore/protocol/deviceMessage";
import { decodeDisclosureNotice, encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { MAX_SUBMITTERS_PER_OWNER, encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { recomputeState, recomputeSubmittersHash } from "@lcore/dapp";
import {
  APP,
  T0,
  notices,
  record,
  registration,
  reports,
  sha,
  sign,
  testDapp,
  testDevice,
  testOwner,
} from "./helpers.js";

const owner = testOwner("binding");
const otherOwner = testOwner("binding other");
const asOwner = { msg_sender: owner.account.address };
const gateway = "0x00000000000000000000000000000000000000aa" as const;
const stranger = "0x00000000000000000000000000000000000000ee" as const;
const grant = (submitter: `0x${string}`, allowed = true) =>
  encodeSubmitterGrant({ allowed, submitter: fromHex(submitter) });

const master = sha("binding master");
const app = fromHex(APP);
const day = periodOf(BigInt(T0) - 86_400n);
/** A record really sealed under the device-day key (PROTOCOL §2), so a disclosure can open it. */
function sealed(dev: ReturnType<typeof testDevice>, seq: bigint, value: bigint) {
  const timestamp = BigInt(day) * 86_400n + seq;
  const body = encodeReadingBody({ nonce: sha(`binding ${seq}`).slice(0, 16), value, payload: new Uint8Array(0) });
  const header = { device: dev.address, seq, timestamp, bodyHash: sha256(body) };
  const digest = readingDigest(header);
  const bytes = sealReading({
    periodKey: derivePeriodKey(master, app, dev.address, day),
    app,
    device: dev.address,
    seq,
    digest,
    body,
  });
  return { ...header, signature: sign(dev.secretKey, digest), sealed: bytes };
}

async function setup() {
  const t = await testDapp();
  const dev = testDevice("binding a");
  const theirs = testDevice("binding b");
  expect(t.advance(registration(dev, owner.address), asOwner).status).toBe("accept");
  expect(t.advance(registration(theirs, otherOwner.address), { msg_sender: otherOwner.account.address }).status).toBe(
    "accept",
  );
  return { ...t, dev, theirs };
}

describe("submitter binding", () => {
  it("skips a record from an account the owner did not allow, before it spends the seq, and leaves no trace", async () => {
    const { advance, dapp, dev } = await setup();
    const before = toHex(dapp.stateHash());
    const r = advance(encodeRecordBatch([record(dev, 1n)]), { msg_sender: stranger });
    expect(r.status).toBe("reject");
    expect(reports(r)).toEqual([
      expect.objectContaining({
        type: "skipped",
        records: [expect.objectContaining({ index: 0, reason: "submitter_not_allowed" })],
      }),
      expect.objectContaining({ type: "rejected", reason: "no_record_accepted" }),
    ]);
    expect(toHex(dapp.stateHash())).toBe(before);
    // The seq is unspent: the owner's own submission of it is accepted.
    expect(advance(encodeRecordBatch([record(dev, 1n)]), asOwner).status).toBe("accept");
  });

  it("a front-running copy with other sealed bytes is refused; the real record is accepted and its day discloses", async () => {
    const { advance, dev } = await setup();
    expect(advance(grant(gateway), asOwner).status).toBe("accept");
    const real = [sealed(dev, 1n, -3n), sealed(dev, 2n, 11n)];
    const copy = real.map((x) => ({ ...x, sealed: x.sealed.map((b) => b ^ 0x5a) }));
    const attack = advance(encodeRecordBatch(copy), { msg_sender: stranger });
    expect(attack.status).toBe("reject");
    expect((reports(attack)[0] as { records: { reason: string }[] }).records.map((s) => s.reason)).toEqual([
      "submitter_not_allowed",
      "submitter_not_allowed",
    ]);
    const ok = advance(encodeRecordBatch(real), { msg_sender: gateway });
    expect(ok.status).toBe("accept");
    const n = notices(ok)[0]!;
    expect(n.kind === "records_accepted" && n.records.map((e) => toHex(e.recordHash))).toEqual(
      real.map((x) => toHex(recordHash(x))),
    );
    const disclosed = advance(
      encodeKeyDisclosure({
        device: dev.address,
        period: day,
        periodKey: derivePeriodKey(master, app, dev.address, day),
        voucher: false,
      }),
      asOwner,
    );
    expect(disclosed.status).toBe("accept");
    const agg = decodeDisclosureNotice(disclosed.outputs.find((o) => o.type === "notice")!.payload);
    expect([agg.count, agg.sum, agg.min, agg.max]).toEqual([2n, 8n, -3n, 11n]);
  });

  it("a grant lets the submitter in for that owner's devices only; a revoke shuts it out again", async () => {
    const { advance, inspect, dev, theirs } = await setup();
    const g = advance(grant(gateway), asOwner);
    expect(g.status).toBe("accept");
    expect(notices(g)).toEqual([
      expect.objectContaining({ kind: "submitter", owner: owner.address, submitter: fromHex(gateway), allowed: true }),
    ]);
    expect(inspect(`submitters/${owner.account.address}`).body).toEqual({
      owner: owner.account.address.toLowerCase(),
      submitters: [{ submitter: gateway, grantedInput: "2" }],
    });
    const mixed = advance(encodeRecordBatch([record(dev, 1n), record(theirs, 1n)]), { msg_sender: gateway });
    expect(mixed.status).toBe("accept");
    expect((reports(mixed)[0] as { records: { index: number; reason: string }[] }).records).toEqual([
      expect.objectContaining({ index: 1, reason: "submitter_not_allowed" }),
    ]);
    const r = advance(grant(gateway, false), asOwner);
    expect(notices(r)).toEqual([expect.objectContaining({ kind: "submitter", allowed: false })]);
    expect(inspect(`submitters/${owner.account.address}`).body.submitters).toEqual([]);
    const after = advance(encodeRecordBatch([record(dev, 2n)]), { msg_sender: gateway });
    expect(reports(after).map((x) => x.reason ?? x.type)).toEqual(["skipped", "no_record_accepted"]);
  });

  it("refuses a grant of the owner itself, a second grant, a revoke of no grant and a grant over the bound, without trace", async () => {
    const { advance, dapp } = await setup();
    const refused = (payload: Uint8Array, reason: string) => {
      const before = toHex(dapp.stateHash());
      const r = advance(payload, asOwner);
      expect(r.status).toBe("reject");
      expect(reports(r).at(-1)).toMatchObject({ type: "rejected", reason });
      expect(toHex(dapp.stateHash())).toBe(before);
    };
    refused(grant(owner.account.address), "submitter_already_granted");
    refused(grant(gateway, false), "submitter_not_granted");
    for (let i = 0; i < MAX_SUBMITTERS_PER_OWNER; i++) {
      expect(advance(grant(`0x${(i + 1).toString(16).padStart(40, "0")}`), asOwner).status).toBe("accept");
    }
    refused(grant("0x0000000000000000000000000000000000000001"), "submitter_already_granted");
    refused(grant(gateway), "too_many_submitters");
    // Another owner's list is its own.
    expect(advance(grant(gateway), { msg_sender: otherOwner.account.address }).status).toBe("accept");
  });

  it("the state hash covers the list: the stored hash matches the table, twin runs agree, and revoking everything empties the tree but keeps its slots", async () => {
    const run = async () => {
      const t = await setup();
      const hashes: string[] = [];
      for (const [payload, from] of [
        [grant(gateway), owner],
        [grant(stranger), owner],
        [grant(gateway), otherOwner],
        [grant(stranger, false), owner],
      ] as const) {
        expect(t.advance(payload, { msg_sender: from.account.address }).status).toBe("accept");
        expect(t.dapp.store.state().submittersHash).toEqual(recomputeSubmittersHash(t.dapp.store));
        hashes.push(toHex(t.dapp.stateHash()));
      }
      return { t, hashes };
    };
    const a = await run();
    const b = await run();
    expect(b.hashes).toEqual(a.hashes);
    expect(new Set(a.hashes).size).toBe(a.hashes.length);
    for (const [payload, from] of [
      [grant(gateway, false), owner],
      [grant(gateway, false), otherOwner],
    ] as const) {
      expect(a.t.advance(payload, { msg_sender: from.account.address }).status).toBe("accept");
    }
    // No grant is left, but three slots were handed out: the next grant takes the fourth, so
    // the hash stays in the state hash (PROTOCOL §5) and still matches the table.
    expect(a.t.dapp.store.sql.one("SELECT count(*) FROM submitters", [])![0]).toBe(0n);
    expect(a.t.dapp.store.state().submittersHash).toEqual(recomputeSubmittersHash(a.t.dapp.store));
    expect(a.t.inspect("state-hash").body.submittersHash).toBe(toHex(a.t.dapp.store.state().submittersHash!));
    expect(recomputeState(a.t.dapp.store).devices).toBe(2n);
  });

  it("a disclosure that meets a record that does not open names it in the rejection", async () => {
    const { advance, dev } = await setup();
    // The owner itself submitted bytes that do not open: it answers for them.
    const good = sealed(dev, 1n, 5n);
    const bad = { ...sealed(dev, 2n, 6n), sealed: new Uint8Array(good.sealed.length).fill(9) };
    expect(advance(encodeRecordBatch([good, bad]), asOwner).status).toBe("accept");
    const r = advance(
      encodeKeyDisclosure({
        device: dev.address,
        period: day,
        periodKey: derivePeriodKey(master, app, dev.address, day),
        voucher: false,
      }),
      asOwner,
    );
    expect(r.status).toBe("reject");
    expect(reports(r).at(-1)).toMatchObject({
      type: "rejected",
      reason: "bad_period_key",
      record: { device: toHex(dev.address), seq: "2", recordHash: toHex(recordHash(bad)) },
    });
  });
});
