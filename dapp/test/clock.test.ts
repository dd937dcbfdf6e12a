// Block time as a development chain may give it (DESIGN §8 "Time", PROTOCOL §9 "A period
// never moves back"): backwards, standing still, jumping far ahead, zero. Through every
// input kind, no sequence of timestamps makes a later valid input fail or any input end
// in internal_error, settled periods strictly increase, and a twin run of the same inputs
// gives the same outputs and state hash. Also: an unexpected error rejects its input only.
import { describe, expect, it } from "vitest";
import { sha256 } from "@lcore/wasm-core";
import { type AdvanceMetadata, type AdvanceOutcome, Dapp } from "@lcore/dapp";
import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { encodeBountyRefundClaim, encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import { decodeDisclosureNotice, encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { encodePrunedDisclosure } from "@lcore/protocol/prunedDisclosure";
import { type WireRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { recordsProof } from "@lcore/protocol/recordsTree";
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
  registrationByPermit,
  reports,
  revocation,
  rotation,
  sha,
  sign,
  testDevice,
  testOwner,
} from "./helpers.js";

const HOUR = SETTLEMENT_PERIOD_SECONDS;
const DAY = DISCLOSURE_PERIOD_SECONDS;
const ETHER_PORTAL = "0xA632c5c05812c6a6149B7af5C56117d1D2603828";
const ERC20_PORTAL = "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D";
const token = Uint8Array.from({ length: 20 }, (_, i) => 0x60 + i);
const app = fromHex(APP);
const master = sha("clock master");
const owner = testOwner("clock owner");
const other = testOwner("clock other");
const asOwner = { msg_sender: owner.account.address };
// Tier 1 (8-12 elements): {0, 1} sums to the target.
const problem = { tier: 1, elements: [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n], target: 5n };

/** A dApp that logs every input it is given, so a twin can be fed exactly the same. */
async function logged() {
  const dapp = await Dapp.create();
  const log: { metadata: AdvanceMetadata; payload: Uint8Array; outcome: AdvanceOutcome }[] = [];
  let index = 0;
  const advance = (payload: Uint8Array, over: Partial<AdvanceMetadata>) => {
    const metadata = meta({ input_index: index++, ...over });
    const outcome = dapp.advance(metadata, payload);
    log.push({ metadata, payload, outcome });
    const internal = reports(outcome).find((r) => r.reason === "internal_error");
    expect(internal, `input ${metadata.input_index} at ${metadata.block_timestamp}`).toBeUndefined();
    return outcome;
  };
  return { dapp, log, advance };
}

/** The same inputs into a fresh dApp: the same outcome each, the same state hash. */
async function expectTwin(run: Awaited<ReturnType<typeof logged>>) {
  const twin = await Dapp.create();
  for (const { metadata, payload, outcome } of run.log)
    expect(twin.advance(metadata, payload), `input ${metadata.input_index}`).toEqual(outcome);
  expect(toHex(twin.stateHash())).toBe(toHex(run.dapp.stateHash()));
}

const reason = (r: AdvanceOutcome) => (r.status === "accept" ? "accept" : String(reports(r).at(-1)?.reason));
const settledPeriods = (run: Awaited<ReturnType<typeof logged>>) =>
  run.log
    .flatMap((l) => l.outcome.outputs)
    .filter((o) => o.type === "notice" && o.payload[0] === 0x90)
    .map((o) => decodeSettlementNotice(o.payload as Uint8Array));

/** A record of `dev` sealed under its disclosure-period key when the day fits u32 (else stand-in bytes: it is never disclosed). */
function sealed(dev: ReturnType<typeof testDevice>, seq: bigint, ts: bigint): WireRecord {
  const day = ts / DAY;
  if (day > 0xffffffffn) return record(dev, seq, ts);
  const body = encodeReadingBody({ nonce: sha(`clock ${seq}`).slice(0, 16), value: seq, payload: new Uint8Array(0) });
  const header = { device: dev.address, seq, timestamp: ts, bodyHash: sha256(body) };
  const digest = readingDigest(header);
  const s = sealReading({
    periodKey: derivePeriodKey(master, app, dev.address, Number(day)),
    app,
    device: dev.address,
    seq,
    digest,
    body,
  });
  return { ...header, signature: sign(dev.secretKey, digest), sealed: s };
}

/**
 * Every input kind at block time `ts`, each built to be valid where validity does not depend
 * on time; those whose outcome does (ticks, disclosures, refunds, …) may be refused, but only
 * with their typed reason.
 */
function world(run: Awaited<ReturnType<typeof logged>>) {
  const main = testDevice("clock main");
  const keys = [testDevice("clock rot a"), testDevice("clock rot b")];
  const submitter = testOwner("clock submitter");
  let seq = 0n;
  let rotNonce = 0n;
  let fresh = 0;
  let bounties = 0n;
  const outcomes: Record<string, Set<string>> = {};
  const note = (kind: string, r: AdvanceOutcome, allowed: string[] = []) => {
    outcomes[kind] ??= new Set();
    outcomes[kind].add(reason(r));
    expect([`accept`, ...allowed], `${kind}: ${JSON.stringify(reports(r))}`).toContain(reason(r));
    return r;
  };
  const setup = (ts: number) => {
    note("registration", run.advance(registration(main, owner.address), { ...asOwner, block_timestamp: ts }));
    note("registration", run.advance(registration(keys[0]!, owner.address), { ...asOwner, block_timestamp: ts }));
  };
  /** Without records, a round lets its tick settle and leaves no period open for the next round's time. */
  const round = async (ts: number, withRecords: boolean) => {
    const at = { block_timestamp: ts };
    const t = BigInt(ts);
    // A tick first, so that it (not another input) settles whatever this time makes due.
    note("tick", run.advance(encodeSettlementTick(), at), ["nothing_to_settle"]);
    // Device operations.
    const dev = testDevice(`clock fresh ${fresh++}`);
    note("registration", run.advance(registration(dev, owner.address), { ...asOwner, ...at }));
    const byPermit = testDevice(`clock fresh ${fresh++}`);
    note("registration", run.advance(await registrationByPermit(byPermit, owner, t + 600n), at));
    note("revocation", run.advance(revocation(dev.address), { ...asOwner, ...at }));
    note(
      "rotation",
      run.advance(rotation(keys[0]!.address, keys[Number((rotNonce + 1n) % 2n)]!, rotNonce), { ...asOwner, ...at }),
    );
    rotNonce++;
    note(
      "submitter",
      run.advance(encodeSubmitterGrant({ allowed: true, submitter: submitter.address }), { ...asOwner, ...at }),
    );
    if (withRecords) {
      // Records: the owner's batch, then the allowed submitter's; a device timestamp of the block's time.
      const first = sealed(main, ++seq, t);
      note("records", run.advance(encodeRecordBatch([first, sealed(main, ++seq, t)]), { ...asOwner, ...at }));
      note(
        "records",
        run.advance(encodeRecordBatch([sealed(main, ++seq, t)]), { msg_sender: submitter.account.address, ...at }),
      );
      note("tick", run.advance(encodeSettlementTick(), at), ["nothing_to_settle"]);
      // Disclosures: the day just written to (0x11), and a 0x12 whose record is not pruned.
      const day = t / DAY;
      if (day <= 0xffffffffn) {
        const key = derivePeriodKey(master, app, main.address, Number(day));
        note(
          "disclosure",
          run.advance(
            encodeKeyDisclosure({ device: main.address, period: Number(day), periodKey: key, voucher: true }),
            { ...asOwner, ...at },
          ),
          ["already_disclosed", "disclosure_window_closed", "period_pruned"],
        );
        note(
          "pruned_disclosure",
          run.advance(
            encodePrunedDisclosure({
              device: main.address,
              period: Number(day),
              periodKey: key,
              voucher: false,
              entries: [{ settlementPeriod: t / HOUR, leafIndex: 0, proof: [], record: first }],
            }),
            { ...asOwner, ...at },
          ),
          ["already_disclosed", "disclosure_window_closed", "not_pruned", "bad_record_proof"],
        );
      }
    }
    note(
      "submitter",
      run.advance(encodeSubmitterGrant({ allowed: false, submitter: submitter.address }), { ...asOwner, ...at }),
    );
    // Wallet: deposits, a transfer, a withdrawal.
    note(
      "deposit",
      run.advance(encodeEtherDeposit({ sender: owner.address, value: 10n }), { msg_sender: ETHER_PORTAL, ...at }),
    );
    note(
      "deposit",
      run.advance(encodeErc20Deposit({ token, sender: owner.address, value: 10n }), {
        msg_sender: ERC20_PORTAL,
        ...at,
      }),
    );
    note(
      "transfer",
      run.advance(encodeWalletTransfer({ asset: ETHER_ASSET, to: other.address, amount: 3n }), { ...asOwner, ...at }),
    );
    note("withdrawal", run.advance(encodeWithdrawal({ asset: token, amount: 4n }), { ...asOwner, ...at }));
    // Bounties: one solved at once; one with a short deadline whose refund is claimed now
    // (too early) and, in the next round, whenever that is.
    const open = (deadline: bigint) => {
      const r = note(
        "bounty",
        run.advance(
          encodeErc20Deposit({
            token,
            sender: owner.address,
            value: 5n,
            execLayerData: encodeBountySpec({ mode: "explicit", deadline, problem }),
          }),
          { msg_sender: ERC20_PORTAL, ...at },
        ),
      );
      expect(reports(r).some((x) => x.type === "bounty_refused")).toBe(false);
      return ++bounties;
    };
    note(
      "solution",
      run.advance(encodeBountySolution({ bountyId: open(t + 1000n), indices: [0, 1] }), {
        ...at,
        msg_sender: other.account.address,
      }),
    );
    if (bounties > 1n) {
      // The previous round's short-deadline bounty: refunded if this round's time is past its deadline.
      note("refund", run.advance(encodeBountyRefundClaim({ bountyId: bounties - 1n }), at), ["bounty_not_expired"]);
    }
    note("refund", run.advance(encodeBountyRefundClaim({ bountyId: open(t + 1n) }), at), ["bounty_not_expired"]);
  };
  return { setup, round, outcomes, records: () => seq };
}

async function drive(timestamps: number[]) {
  const run = await logged();
  const w = world(run);
  w.setup(timestamps[0]!);
  for (const [i, ts] of timestamps.entries()) await w.round(ts, i % 2 === 0);
  // Settled periods never repeat and only increase; every accepted record is in exactly one period.
  const periods = settledPeriods(run);
  for (let i = 1; i < periods.length; i++) expect(periods[i]!.period).toBeGreaterThan(periods[i - 1]!.period);
  const open = run.dapp.store.sql.one("SELECT open_count FROM settlement_state", [])![0] as bigint;
  expect(periods.reduce((n, p) => n + p.recordCount, 0n) + open).toBe(w.records());
  await expectTwin(run);
  return { run, w, periods };
}

const T = Number(BigInt(T0) - (BigInt(T0) % HOUR)) + 10;
const H = Number(HOUR);
const FAR = 2 ** 40;

describe("block time that goes back, stands still or jumps", () => {
  it("the field report: a period settled at T+3600, time back to T, records and ticks, then past T+3600 again", async () => {
    const run = await logged();
    const dev = testDevice("clock field");
    const at = (ts: number) => ({ ...asOwner, block_timestamp: ts });
    let seq = 0n;
    const batch = (ts: number) => run.advance(encodeRecordBatch([record(dev, ++seq, BigInt(ts))]), at(ts));
    const tick = (ts: number) => reason(run.advance(encodeSettlementTick(), { block_timestamp: ts }));
    expect(reason(run.advance(registration(dev, owner.address), at(T)))).toBe("accept");
    expect(batch(T).status).toBe("accept");
    const P = BigInt(T) / HOUR;
    expect(tick(T + H)).toBe("accept"); // settles P
    // The restart: the chain's clock is back at T, inside the settled period P.
    expect(batch(T).status).toBe("accept");
    expect(tick(T)).toBe("nothing_to_settle");
    expect(reason(run.advance(registration(testDevice("clock field 2"), owner.address), at(T)))).toBe("accept");
    expect(batch(T + 5).status).toBe("accept");
    // One hour of chain time later (where every input used to fail with UNIQUE constraint failed).
    expect(batch(T + H + 1).status).toBe("accept");
    expect(tick(T + H + 1)).toBe("nothing_to_settle"); // the open period is P + 1: nothing before it waits
    expect(reason(run.advance(registration(testDevice("clock field 3"), owner.address), at(T + H + 1)))).toBe("accept");
    expect(tick(T + 2 * H)).toBe("accept"); // settles P + 1: the records of T, T+5 and T+3601
    expect(batch(T + 2 * H + 1).status).toBe("accept");
    expect(tick(T + 3 * H)).toBe("accept");
    expect(settledPeriods(run).map((p) => [p.period, p.recordCount])).toEqual([
      [P, 1n],
      [P + 1n, 3n],
      [P + 2n, 1n],
    ]);
    await expectTwin(run);
  });

  const sequences: [string, number[]][] = [
    ["backwards by hours and days", [T, T + 2 * H, T, T - 3 * H, T - 2 * 86_400, T + H, T + 3 * H]],
    ["standing still across settlements", [T, T, T + H, T + H, T + H, T + 2 * H, T + 2 * H]],
    [
      "zero and far jumps (2^40, 2^53 − 1) and back",
      [T, 0, 0, T, FAR, T, FAR + 7200, 1, T + H, Number.MAX_SAFE_INTEGER, T, T + 2 * H],
    ],
    ["past the disclosure window and back", [T, T + 40 * 86_400, T + H, T + 41 * 86_400, T + 2 * H, T + 80 * 86_400]],
  ];
  for (const [name, timestamps] of sequences) {
    it(`every input kind, ${name}: valid inputs accepted, typed refusals only, twins agree`, async () => {
      const { run, w, periods } = await drive(timestamps);
      expect(periods.length).toBeGreaterThan(0);
      // Every kind was exercised and accepted at least once.
      for (const kind of [
        "registration",
        "revocation",
        "rotation",
        "submitter",
        "records",
        "tick",
        "deposit",
        "transfer",
        "withdrawal",
        "bounty",
        "solution",
        "refund",
      ]) {
        expect(w.outcomes[kind], kind).toContain("accept");
      }
      expect(w.outcomes.disclosure).toBeDefined();
      expect(w.outcomes.pruned_disclosure).toBeDefined();
      // And after it all, at the last time and at time 0, valid inputs still go through.
      for (const ts of [timestamps.at(-1)!, 0]) {
        const dev = testDevice(`clock after ${ts}`);
        expect(run.advance(registration(dev, owner.address), { ...asOwner, block_timestamp: ts }).status).toBe(
          "accept",
        );
        expect(
          run.advance(encodeRecordBatch([record(dev, 1n, BigInt(ts))]), { ...asOwner, block_timestamp: ts }).status,
        ).toBe("accept");
        expect(
          run.advance(encodeEtherDeposit({ sender: owner.address, value: 1n }), {
            msg_sender: ETHER_PORTAL,
            block_timestamp: ts,
          }).status,
        ).toBe("accept");
      }
      await expectTwin(run);
    });
  }

  it("a pseudo-random walk of block times: the same guarantees", async () => {
    let x = 0x2545f491;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0); // a fixed LCG: the same walk every run
    const steps = [0, 1, -1, H, -H, 86_400 * 40, -86_400 * 40, -T];
    const timestamps = [T];
    for (let i = 0; i < 20; i++) timestamps.push(Math.max(0, timestamps.at(-1)! + steps[next() % steps.length]!));
    await drive(timestamps);
  });

  it("a day whose pruned counts left with the window stays closed when time goes back (no partial aggregate)", async () => {
    const run = await logged();
    const dev = testDevice("clock prune");
    const d = BigInt(T0) / DAY;
    const dayStart = d * DAY;
    expect(
      reason(run.advance(registration(dev, owner.address), { ...asOwner, block_timestamp: Number(dayStart) })),
    ).toBe("accept");
    // 25 hourly periods with one record each: the 25th settlement prunes the first (24 kept).
    const first = sealed(dev, 1n, dayStart + 7n);
    for (let h = 0n; h < 25n; h++) {
      const ts = dayStart + h * HOUR + 7n;
      expect(
        reason(
          run.advance(encodeRecordBatch([h === 0n ? first : sealed(dev, h + 1n, ts)]), {
            ...asOwner,
            block_timestamp: Number(ts),
          }),
        ),
      ).toBe("accept");
    }
    // The last period is settled by a tick 40 days later: day d is then outside the window.
    const far = Number(dayStart + 40n * DAY);
    expect(reason(run.advance(encodeSettlementTick(), { block_timestamp: far }))).toBe("accept");
    expect(run.dapp.store.sql.one("SELECT count(*) FROM records WHERE seq = 1", [])![0]).toBe(0n);
    const key = derivePeriodKey(master, app, dev.address, Number(d));
    const disclose = (ts: number) =>
      reason(
        run.advance(encodeKeyDisclosure({ device: dev.address, period: Number(d), periodKey: key, voucher: false }), {
          ...asOwner,
          block_timestamp: ts,
        }),
      );
    expect(disclose(far)).toBe("disclosure_window_closed");
    // The clock goes back to day d + 1, and a late record of day d arrives.
    const back = Number(dayStart + 25n * HOUR + 100n);
    expect(
      reason(
        run.advance(encodeRecordBatch([sealed(dev, 26n, dayStart + 23n * HOUR + 100n)]), {
          ...asOwner,
          block_timestamp: back,
        }),
      ),
    ).toBe("accept");
    // A key disclosure would leave out the pruned record: refused, not a partial aggregate.
    expect(disclose(back)).toBe("period_pruned");
    // The whole day goes by 0x12: the pruned record with its proof, then the records still kept.
    const r = run.advance(
      encodePrunedDisclosure({
        device: dev.address,
        period: Number(d),
        periodKey: key,
        voucher: false,
        entries: [
          {
            settlementPeriod: (dayStart + 7n) / HOUR,
            leafIndex: 0,
            proof: recordsProof([recordHash(first)], 0),
            record: first,
          },
        ],
      }),
      { ...asOwner, block_timestamp: back },
    );
    expect(reason(r)).toBe("accept");
    const n = decodeDisclosureNotice(r.outputs.find((o) => o.type === "notice")!.payload);
    expect(n.count).toBe(25n); // hours 0..23 of day d and the late one (hour 24 is day d + 1)
    await expectTwin(run);
  });
});

describe("an unexpected error rejects its input only", () => {
  /** Three inputs: registration, a batch that fails inside (after writing), a batch that must go through. */
  async function withFault(fault: (dapp: Dapp) => void) {
    const dev = testDevice("clock fault");
    const inputs = [
      registration(dev, owner.address),
      encodeRecordBatch([record(dev, 1n, BigInt(T)), record(dev, 2n, BigInt(T))]),
      encodeRecordBatch([record(dev, 1n, BigInt(T)), record(dev, 2n, BigInt(T))]),
    ];
    const dapp = await Dapp.create();
    const md = (i: number) => meta({ ...asOwner, input_index: i, block_timestamp: T });
    expect(dapp.advance(md(0), inputs[0]!).status).toBe("accept");
    const before = toHex(dapp.stateHash());
    // The fault strikes right after the batch's records are written (one multi-row INSERT, records/store.ts).
    const sql = dapp.store.sql;
    const run = sql.run.bind(sql);
    let calls = 0;
    sql.run = (query, params) => {
      run(query, params);
      if (query.startsWith("INSERT INTO records") && ++calls === 1) fault(dapp);
    };
    const failed = dapp.advance(md(1), inputs[1]!);
    expect(failed.status).toBe("reject");
    expect(reports(failed).at(-1)).toMatchObject({ type: "rejected", reason: "internal_error" });
    expect(failed.outputs.every((o) => o.type === "report")).toBe(true);
    expect(toHex(dapp.stateHash())).toBe(before);
    // The same records again: accepted, and the state is what it would be had input 1 never come.
    expect(dapp.advance(md(2), inputs[2]!).status).toBe("accept");
    const twin = await Dapp.create();
    expect(twin.advance(md(0), inputs[0]!).status).toBe("accept");
    expect(twin.advance(md(2), inputs[2]!).status).toBe("accept");
    expect(toHex(dapp.stateHash())).toBe(toHex(twin.stateHash()));
    expect(dapp.store.sql.one("SELECT count(*) FROM records", [])![0]).toBe(2n);
  }

  it("a SQLite error after some writes: the savepoint is rolled back", async () => {
    await withFault((dapp) => dapp.store.sql.run("INSERT INTO records SELECT * FROM records", [])); // UNIQUE constraint failed: records.id
  });

  it("an error after SQLite rolled the transaction back itself: no escape, the next input works", async () => {
    await withFault((dapp) => {
      dapp.store.db.exec("ROLLBACK");
      throw new Error("simulated out of memory");
    });
  });
});
