// The decoder fuzz test: random, truncated, oversized and mutated payloads never
// escape as an exception; invalid ones end in a report and a reject and change nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AdvanceMetadata, type Dapp, type Output, recomputeState } from "@lcore/dapp";
import { sha256 } from "@lcore/wasm-core";
import { MAX_PAYLOAD_LENGTH } from "@lcore/protocol/bounds";
import { encodeBountyRefundClaim, encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeReadingBody, periodOf, readingDigest } from "@lcore/protocol/deviceMessage";
import { decodeDisclosureNotice, encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { InputKind } from "@lcore/protocol/kinds";
import { encodePrunedDisclosure } from "@lcore/protocol/prunedDisclosure";
import { REJECT_REASONS } from "@lcore/protocol/reasons";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { SETTLEMENT_PERIOD_SECONDS, decodeSettlementNotice, encodeSettlementTick } from "@lcore/protocol/settlement";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import {
  ETHER_ASSET,
  encodeErc20Deposit,
  encodeEtherDeposit,
  encodeWalletTransfer,
  encodeWithdrawal,
} from "@lcore/protocol/wallet";
import {
  APP,
  T0,
  meta,
  record,
  registration,
  reports,
  revocation,
  rotation,
  sha,
  sign,
  testDapp,
  testDevice,
  testOwner,
} from "./helpers.js";

const owner = testOwner("alice");
const a = testDevice("a");
const b = testDevice("b");
const ETHER_PORTAL = "0xA632c5c05812c6a6149B7af5C56117d1D2603828";
const ERC20_PORTAL = "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D";
const token = Uint8Array.from({ length: 20 }, (_, i) => 0x70 + i);
const bob = Uint8Array.from({ length: 20 }, (_, i) => 0xb0 + i);
// A tier-1 bounty: 8 elements, 1 + 2 + 4 = 7.
const problem = { tier: 1, elements: [1n, 2n, 4n, 8n, 16n, 32n, 64n, 128n], target: 7n };
// Device d's records are really sealed (PROTOCOL §2), so one key disclosure of its day opens them
// (and one record of the next day, which that key must not open).
const d = testDevice("d");
const master = sha("fuzz master key");
const DAY = periodOf(BigInt(T0) - 86_400n);
const DAY_VALUES = [-4n, 9n, 15n];
const dayKey = derivePeriodKey(master, fromHex(APP), d.address, DAY);
function sealedRecord(seq: bigint, value: bigint, day = DAY) {
  const timestamp = BigInt(day) * 86_400n + 10n * seq;
  const body = encodeReadingBody({ nonce: sha(`fuzz nonce ${seq}`).slice(0, 16), value, payload: new Uint8Array(0) });
  const header = { device: d.address, seq, timestamp, bodyHash: sha256(body) };
  const digest = readingDigest(header);
  const sealed = sealReading({
    periodKey: derivePeriodKey(master, fromHex(APP), d.address, periodOf(timestamp)),
    app: fromHex(APP),
    device: d.address,
    seq,
    digest,
    body,
  });
  return { ...header, signature: sign(d.secretKey, digest), sealed };
}

async function seeded() {
  const t = await testDapp();
  expect(t.advance(registration(a, owner.address), { msg_sender: owner.account.address }).status).toBe("accept");
  expect(t.advance(registration(b, owner.address), { msg_sender: owner.account.address }).status).toBe("accept");
  expect(t.advance(registration(d, owner.address), { msg_sender: owner.account.address }).status).toBe("accept");
  expect(
    t.advance(
      encodeRecordBatch([
        record(a, 1n),
        record(b, 1n),
        ...DAY_VALUES.map((v, i) => sealedRecord(BigInt(i + 1), v)),
        sealedRecord(9n, 1000n, DAY + 1),
      ]),
      { msg_sender: owner.account.address },
    ).status,
  ).toBe("accept");
  // The wallet: Ether for alice, and an ERC-20 bounty she opens.
  expect(
    t.advance(encodeEtherDeposit({ sender: owner.address, value: 10n ** 18n }), { msg_sender: ETHER_PORTAL }).status,
  ).toBe("accept");
  const bounty = encodeBountySpec({ mode: "explicit", deadline: BigInt(T0 + 3600), problem });
  expect(
    t.advance(encodeErc20Deposit({ token, sender: owner.address, value: 500n, execLayerData: bounty }), {
      msg_sender: ERC20_PORTAL,
    }).status,
  ).toBe("accept");
  return t;
}

function fingerprint(dapp: Dapp): string {
  const s = recomputeState(dapp.store);
  return [toHex(dapp.stateHash()), toHex(s.devicesHash), toHex(s.recordsHash), s.devices, s.records].join("/");
}

let inputIndex = 100;
/** Advance and check: no throw; rejected → only reports, the last one `rejected` with a known reason, state unchanged. */
function expectRejectedWithoutTrace(dapp: Dapp, payload: Uint8Array, sender: `0x${string}` = owner.account.address) {
  const before = fingerprint(dapp);
  const r = dapp.advance(meta({ input_index: inputIndex++, msg_sender: sender }), payload);
  expect(r.status).toBe("reject");
  expect(r.outputs.length).toBeGreaterThan(0);
  expect(r.outputs.every((o) => o.type === "report")).toBe(true);
  const last = reports(r).at(-1)!;
  expect(last.type).toBe("rejected");
  expect(REJECT_REASONS).toContain(last.reason);
  expect(last.reason).not.toBe("internal_error");
  expect(fingerprint(dapp)).toBe(before);
}

/** Valid inputs of every kind against the seeded state. */
const valid = () => [
  registration(testDevice("c"), owner.address, Uint8Array.of(1, 2, 3)),
  rotation(a.address, testDevice("a2"), 0n),
  revocation(b.address),
  encodeRecordBatch([record(a, 2n), record(b, 2n, undefined, 300), record(a, 3n)]),
  encodeSubmitterGrant({ allowed: true, submitter: bob }),
  encodeWalletTransfer({ asset: ETHER_ASSET, to: bob, amount: 5n }),
  encodeWithdrawal({ asset: ETHER_ASSET, amount: 7n }),
  encodeBountySolution({ bountyId: 1n, indices: [0, 1, 2] }),
  encodeBountyRefundClaim({ bountyId: 1n }),
  encodeSettlementTick(),
  encodeKeyDisclosure({ device: d.address, period: DAY, periodKey: dayKey, voucher: true }),
  // Well-formed, refused (nothing of DAY is pruned): its truncations and mutations must be too.
  encodePrunedDisclosure({
    device: d.address,
    period: DAY,
    periodKey: dayKey,
    voucher: false,
    entries: [{ settlementPeriod: 0n, leafIndex: 0, proof: [sha("sibling")], record: sealedRecord(1n, -4n) }],
  }),
];

/** Every output, as bytes: two runs are deterministic when these are equal. */
const outputBytes = (outputs: Output[]) =>
  outputs.map((o) =>
    [o.type, toHex(o.payload), ...(o.type === "voucher" ? [toHex(o.destination), o.value.toString()] : [])].join(":"),
  );

describe("decoder fuzz", () => {
  it("random payloads, with and without a valid kind and version, are rejected without trace", async () => {
    const { dapp } = await seeded();
    const kinds = Object.values(InputKind);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc
            .tuple(fc.constantFrom(...kinds), fc.constantFrom(0, 1, 2), fc.uint8Array({ maxLength: 3000 }))
            .map(([k, v, rest]) => Uint8Array.from([k, v, ...rest])),
          // A batch header with a plausible count, then noise.
          fc
            .tuple(fc.integer({ min: 0, max: 400 }), fc.uint8Array({ maxLength: 5000 }))
            .map(([n, rest]) => Uint8Array.from([InputKind.RecordBatch, 1, n >> 8, n & 255, ...rest])),
        ),
        (payload) => expectRejectedWithoutTrace(dapp, payload),
      ),
      { numRuns: 400 },
    );
  });

  it("every truncation of every valid input is rejected without trace", async () => {
    const { dapp } = await seeded();
    for (const payload of valid()) {
      for (let n = 0; n < payload.length; n++) expectRejectedWithoutTrace(dapp, payload.subarray(0, n));
    }
  });

  it("oversized payloads and valid inputs with bytes appended are rejected without trace", async () => {
    const { dapp } = await seeded();
    expectRejectedWithoutTrace(dapp, new Uint8Array(MAX_PAYLOAD_LENGTH + 1).fill(InputKind.RecordBatch));
    expectRejectedWithoutTrace(dapp, new Uint8Array(200_000));
    for (const payload of valid()) {
      expectRejectedWithoutTrace(dapp, Uint8Array.from([...payload, 0]));
      const padded = new Uint8Array(MAX_PAYLOAD_LENGTH + 1);
      padded.set(payload);
      expectRejectedWithoutTrace(dapp, padded);
    }
  });

  it("inputs through a portal: too short for the portal's layout is rejected without trace, anything longer is a deposit", async () => {
    const { dapp } = await seeded();
    for (const payload of valid()) {
      if (payload.length < 72) expectRejectedWithoutTrace(dapp, payload, ERC20_PORTAL);
      if (payload.length < 52) expectRejectedWithoutTrace(dapp, payload, ETHER_PORTAL);
    }
    fc.assert(
      fc.property(
        fc.constantFrom(ETHER_PORTAL, ERC20_PORTAL),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.uint8Array({ minLength: 72, maxLength: 400 }).map((p) => {
            p[72] = 0x30;
            p[73] = 1;
            return p;
          }),
        ),
        (portal, payload) => {
          const min = portal === ETHER_PORTAL ? 52 : 72;
          if (payload.length < min) return expectRejectedWithoutTrace(dapp, payload, portal);
          const r = dapp.advance(meta({ input_index: inputIndex++, msg_sender: portal }), payload);
          // A deposit is never refused (that would strand the funds): credited, or a bounty opened.
          expect(r.status).toBe("accept");
          expect(r.outputs.filter((o) => o.type === "notice")).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("mutated valid inputs never throw; rejected ones leave no trace, accepted ones keep the folds exact", async () => {
    const inputs = valid();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: inputs.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (which, flips) => {
          const { dapp } = await seeded();
          const payload = inputs[which]!.slice();
          for (const [at, x] of flips) payload[at % payload.length]! ^= x;
          const before = fingerprint(dapp);
          const r = dapp.advance(meta({ input_index: 50, msg_sender: owner.account.address }), payload);
          if (r.status === "reject") {
            expect(fingerprint(dapp)).toBe(before);
            expect(reports(r).at(-1)!.reason).not.toBe("internal_error");
          } else {
            const s = recomputeState(dapp.store);
            expect(toHex(s.recordsHash)).toBe(toHex(dapp.store.state().recordsHash));
            expect(toHex(s.devicesHash)).toBe(toHex(dapp.store.state().devicesHash));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("settlement ticks and key disclosures, valid and mutated, from any sender at any time: all or nothing, deterministic, exact aggregates", async () => {
    const stranger = testOwner("mallory").account.address;
    const inputs = [
      encodeSettlementTick(),
      encodeKeyDisclosure({ device: d.address, period: DAY, periodKey: dayKey, voucher: true }),
      encodeKeyDisclosure({ device: d.address, period: DAY, periodKey: dayKey, voucher: false }),
      // P's key for the next day, and a key of another owner: both must fail to open.
      encodeKeyDisclosure({ device: d.address, period: DAY + 1, periodKey: dayKey, voucher: false }),
      encodeKeyDisclosure({
        device: d.address,
        period: DAY,
        periodKey: derivePeriodKey(sha("other"), fromHex(APP), d.address, DAY),
        voucher: false,
      }),
    ];
    const sum = DAY_VALUES.reduce((x, y) => x + y, 0n);
    const times = [0n, 1n, 5n].map((n) => T0 + Number(n * SETTLEMENT_PERIOD_SECONDS));
    /** Runs one input on two dApps seeded alike, checks every invariant; the verdict. */
    async function check(payload: Uint8Array, sender: `0x${string}`, time: number): Promise<string> {
      const at: AdvanceMetadata = meta({ input_index: 50, msg_sender: sender, block_timestamp: time });
      // Twice from the same state: the same outputs, byte for byte, and the same state.
      const [one, two] = [(await seeded()).dapp, (await seeded()).dapp];
      const before = fingerprint(one);
      const r = one.advance(at, payload);
      const r2 = two.advance(at, payload);
      expect([r2.status, ...outputBytes(r2.outputs)]).toEqual([r.status, ...outputBytes(r.outputs)]);
      expect(fingerprint(two)).toBe(fingerprint(one));
      if (r.status === "reject") {
        const reason = reports(r).at(-1)!.reason as string;
        expect(r.outputs.every((o) => o.type === "report")).toBe(true);
        expect(REJECT_REASONS).toContain(reason);
        expect(reason).not.toBe("internal_error");
        expect(fingerprint(one)).toBe(before);
        return reason;
      }
      const s = recomputeState(one.store);
      expect(toHex(s.recordsHash)).toBe(toHex(one.store.state().recordsHash));
      const kinds: string[] = [];
      for (const o of r.outputs) {
        if (o.type !== "notice") continue;
        kinds.push(o.payload[0]!.toString(16));
        if (o.payload[0] === 0x90)
          expect(decodeSettlementNotice(o.payload).recordCount).toBe(3n + BigInt(DAY_VALUES.length));
        if (o.payload[0] !== 0x91) continue;
        // Whatever bytes were flipped, an accepted disclosure is d's day, aggregated exactly, sent by the owner.
        const n = decodeDisclosureNotice(o.payload);
        expect([toHex(n.device), n.period, n.count, n.sum, n.min, n.max]).toEqual([
          toHex(d.address),
          DAY,
          3n,
          sum,
          -4n,
          15n,
        ]);
        expect(sender).toBe(owner.account.address);
        // Once per device and period: the same input again changes nothing.
        expectRejectedWithoutTrace(one, payload);
      }
      return `accept ${kinds.join(" ")}`;
    }

    // The unmutated inputs, every sender and time: the expected verdicts.
    for (const [i, payload] of inputs.entries()) {
      for (const sender of [owner.account.address, stranger]) {
        for (const time of times) {
          const verdict = await check(payload, sender, time);
          const later = time > T0 ? "90 " : "";
          const expected =
            i === 0
              ? time > T0
                ? "accept 90"
                : "nothing_to_settle"
              : sender === stranger
                ? "not_owner"
                : i <= 2
                  ? `accept ${later}91`
                  : "bad_period_key";
          expect(verdict, `input ${i} from ${sender} at ${time}`).toBe(expected);
        }
      }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: inputs.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(owner.account.address, stranger),
        fc.constantFrom(...times),
        async (which, flips, sender, time) => {
          const payload = inputs[which]!.slice();
          for (const [at, x] of flips) payload[at % payload.length]! ^= x;
          await check(payload, sender, time);
        },
      ),
      { numRuns: 120 },
    );
  });
});
