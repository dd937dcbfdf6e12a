// A pruned day disclosed through the gateway on the devnet (PROTOCOL §11, §11.1): device A's
// readings of day P are accepted in one settlement period; chain time then moves an hour
// at a time while a filler device's readings settle 24 more periods, and A's last reading
// of P, in a 26th, settles the 25th: the dApp prunes the first period, so its inspect
// answers "pruned" for A's first readings. POST /v1/disclosures of P then goes as 0x12
// (a 0x11 would be refused with period_pruned) and ends in the dApp's 0x91 with the
// aggregate of all four readings of P, pruned and kept; and the owner's reads of A's
// records still answer, from the gateway's outbox.

import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { fromHex } from "@lcore/protocol/bytes";
import { decodeInput } from "@lcore/protocol/input";
import { decodeNotice } from "@lcore/protocol/notices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonRpcNodeReader } from "../src/chain/nodeReader.js";
import type { SimDevice } from "../src/sim/device.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
const P = Math.floor(Date.now() / 1000 / DAY) - 2;
/** A's readings of P: three in the period that gets pruned, one kept. */
const PRUNED_VALUES = [12n, -7n, 30n];
const KEPT_VALUE = 5n;
/** Settled periods after A's first: 24, so that 25 are settled and the oldest is pruned (PRUNE_KEEP_SETTLED_PERIODS = 24). */
const FILLER_PERIODS = 24;

const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
afterAll(() => runCleanups(cleanups));

beforeAll(async () => {
  stack = await startTestStack(cleanups);
  gw = await testGateway(cleanups, {
    ...stack.gatewayOptions(3, { pollMs: 50, maxDelayMs: 50, followMs: 100 }),
    settlement: { pollMs: 100 },
  });
  await gw.app.ready();
});

const json = (url: string, headers = {}) => gw.app.inject({ method: "GET", url, headers }).then((r) => r.json());

const accepted = (d: SimDevice, seq: number) =>
  eventually(
    async () =>
      ["accepted", "settled"].includes((await json(`/v1/readings/${d.hex}/${seq}`)).status) ? true : undefined,
    60_000,
    `${d.hex}/${seq} accepted`,
  );

/** Mines until every input the gateway created is on chain, so the next hour's reading cannot land in this one. */
async function included(): Promise<void> {
  const { inputs } = gw.app.gateway.outbox;
  const until = Date.now() + 30_000;
  while (inputs.countUnincluded() > 0 || gw.app.gateway.outbox.queued > 0) {
    if (Date.now() > until) throw new Error("inputs not included");
    await stack.rpc("evm_mine");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function post(payload: object): Promise<void> {
  const res = await gw.app.inject({ method: "POST", url: "/v1/readings", payload });
  expect(res.statusCode, res.body).toBe(202);
}

async function inspect(path: string): Promise<{ status: string; body: { error?: string } }> {
  const res = await fetch(stack.devnet.inspectUrl, { method: "POST", body: new TextEncoder().encode(path) });
  const reply = (await res.json()) as { status: string; reports: { payload: string }[] };
  return { status: reply.status, body: JSON.parse(new TextDecoder().decode(fromHex(reply.reports[0]!.payload))) };
}

describe("disclosure of a pruned day through the gateway", () => {
  it("the gateway sends 0x12 and gets the day's 0x91; the owner still reads the pruned records", async () => {
    const a = await gw.device();
    const filler = await gw.device();
    for (const [i, value] of PRUNED_VALUES.entries()) await post(a.reading({ value, timestamp: P * DAY + 600 * i }));
    await included();
    for (let seq = 1; seq <= PRUNED_VALUES.length; seq++) await accepted(a, seq);

    for (let h = 0; h < FILLER_PERIODS; h++) {
      await stack.rpc("evm_increaseTime", [3600]);
      await post(filler.reading({ value: BigInt(h) }));
      await included();
    }
    await stack.rpc("evm_increaseTime", [3600]);
    await post(a.reading({ value: KEPT_VALUE, timestamp: P * DAY + 7200 }));
    await included();
    await accepted(a, PRUNED_VALUES.length + 1);
    // The dApp pruned A's first period …
    expect(await inspect(`record/${a.hex}/1`)).toMatchObject({ status: "Rejected", body: { error: "pruned" } });
    expect((await inspect(`record/${a.hex}/${PRUNED_VALUES.length + 1}`)).status).toBe("Accepted");
    // … and the settlement follower has read the settlement that pruned it.
    await eventually(
      () => (gw.app.gateway.outbox.settlements.settledPeriods().length >= FILLER_PERIODS + 1 ? true : undefined),
      30_000,
      "25 settled periods read",
    );

    const res = await gw.app.inject({
      method: "POST",
      url: "/v1/disclosures",
      headers: auth,
      payload: { device: a.hex, period: P },
    });
    expect(res.statusCode, res.body).toBe(202);
    const done = await eventually(
      async () => {
        const s = await json(res.json().statusUrl, auth);
        return s.status === "accepted" || s.status === "rejected" ? s : undefined;
      },
      60_000,
      "disclosure verdict",
    );
    const all = [...PRUNED_VALUES, KEPT_VALUE];
    expect(done).toMatchObject({
      status: "accepted",
      period: P,
      parts: 1,
      prunedRecords: PRUNED_VALUES.length,
      aggregate: { count: String(all.length), sum: all.reduce((x, y) => x + y, 0n).toString(), min: "-7", max: "30" },
    });
    // What went on chain is a 0x12, and the node's notice for it is the 0x91 the gateway relays.
    const onChain = (await stack.inputs()).find((i) => i.index === done.inputIndex)!;
    expect(decodeInput(fromHex(onChain.payload)).kind).toBe("pruned_disclosure");
    const node = (await new JsonRpcNodeReader(stack.devnet.jsonRpcUrl, stack.app).input(done.inputIndex))!;
    expect(node.notices.map((n) => n.index)).toEqual([done.noticeIndex]);
    expect(decodeNotice(fromHex(node.notices[0]!.payload))).toMatchObject({
      kind: "key_disclosed",
      period: P,
      count: BigInt(all.length),
    });

    // Owner reads of the pruned readings: from the outbox, not the dApp's state.
    const page = await json(`/v1/devices/${a.hex}/records`, auth);
    expect(page.records.map((r: { seq: string; value: string }) => [r.seq, r.value])).toEqual(
      all.map((v, i) => [String(i + 1), v.toString()]),
    );
    expect(page.records.every((r: { status: string }) => r.status === "accepted")).toBe(true);
    expect(await json(`/v1/readings/${a.hex}/1`)).toMatchObject({ seq: "1", status: "accepted" });
  }, 120_000);
});
