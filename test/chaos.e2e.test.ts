// The chaos test (issue 26.4), bounded: four devices stream signed readings through the
// gateway while the harness (test/chaos/harness.mjs) applies one fault of each kind to the chain
// at moments drawn from a fixed seed: reorganisations of depth 1, 3 and 10 (with and without
// replacement transactions), a rollback of 3, kill -9 and restart from saved state, and the
// clock going back. Then, within DRAIN_MS, every reading answered 202 is in exactly one accepted
// record, the outbox is empty, the node equals `lcore replay` and a period still settles.
// The long randomised version is `npm run chaos`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM modules without type declarations
import { replay, settles, waitDrained } from "./chaos/check.mjs";
// @ts-expect-error: plain ESM modules without type declarations
import { runFaults, startChaos } from "./chaos/harness.mjs";

const SEED = 26;
const FAULTS = ["reorg1", "reorg3", "reorg10", "reorg3tx", "rollback3", "outage", "clockBack"];
const FAULTS_MS = 42_000;
/** The stated bound: every 202 reading accepted and the outbox empty this long after the last fault. */
const DRAIN_MS = 30_000;
/** A tick, its claim at `finalized` and the voucher executed: ~15 s on an idle machine. */
const SETTLE_MS = 45_000;

const stateDir = mkdtempSync(join(tmpdir(), "lcore-chaos-"));
const logs: string[] = [];
/** LCORE_CHAOS_LOG=FILE keeps the whole log of the run (the components' and the harness's) there. */
const allLogs: string[] = [];
const log = (m: string) => {
  logs.push(m);
  if (process.env.LCORE_CHAOS_LOG) allLogs.push(m);
  if (logs.length > 300) logs.shift();
};
let h: any;

beforeAll(async () => {
  h = await startChaos({ stateDir, devices: 4, readingIntervalMs: 500, log, stackLog: (c: Buffer) => log(String(c)) });
});
afterAll(async () => {
  await h?.stop();
  if (process.env.LCORE_CHAOS_LOG) writeFileSync(process.env.LCORE_CHAOS_LOG, allLogs.join("\n"));
  rmSync(stateDir, { recursive: true, force: true });
});

describe(`chaos on the chain (seed ${SEED})`, () => {
  it("loses and duplicates no reading, node = replay, settlement continues", { timeout: 150_000 }, async () => {
    h.startDevices();
    await runFaults(h, { seed: SEED, faults: FAULTS, durationMs: FAULTS_MS });
    await h.stopDevices();
    const counted = await waitDrained(h, DRAIN_MS);
    // Everything is measured before anything is asserted, so one failing run shows every check.
    const r = await replay(h);
    const s = await settles(h, SETTLE_MS);
    const context = `seed ${SEED}; faults ${JSON.stringify(h.faults)}; ${JSON.stringify(counted)}; replay ${r.out}; settlement ${JSON.stringify(s)}\n${logs.slice(-40).join("\n")}`;
    expect(
      h.faults.filter((f: { detail: string }) => f.detail.startsWith("FAILED")),
      context,
    ).toEqual([]);
    expect(counted.readings, context).toBeGreaterThan(100);
    expect(
      { lost: counted.lost, duplicated: counted.duplicated, queued: counted.queued, replay: r.ok, settles: s.ok },
      context,
    ).toEqual({ lost: 0, duplicated: 0, queued: 0, replay: true, settles: true });
    expect(h.stackFailure(), context).toBeUndefined();
  });
});
