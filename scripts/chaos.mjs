#!/usr/bin/env node
// `npm run chaos [-- --minutes N --seed S --devices K]`: the long, randomised chaos run (issue
// 26.4). One stack attached to the harness's own anvil; rounds of faults (each round a random
// seed, printed, and random kinds at random moments) while devices stream readings, each round
// followed by the checks of test/chaos/check.mjs. Ends with the BENCH lines and exits 1 if a
// reading was lost or duplicated, the node diverged from replay or settlement stopped.
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { replay, settles, waitDrained } from "../test/chaos/check.mjs";
import { FAULTS, prng, runFaults, startChaos } from "../test/chaos/harness.mjs";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    seed: { type: "string" },
    devices: { type: "string", default: "5" },
    keep: { type: "boolean", default: false },
    log: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(
    "usage: npm run chaos -- [--minutes N (10)] [--seed S] [--devices K (5)] [--keep] [--log FILE]\n" +
      "Faults (reorgs of depth 1, 3, 10, rollbacks, chain kills and restarts, clock jumps) while devices send\n" +
      "readings; ends with BENCH chaos.readings/lost/duplicated and exits 1 on any loss, duplicate or divergence.\n",
  );
  process.exit(0);
}
const minutes = Number(values.minutes);
const say = (m) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const stateDir = mkdtempSync(join(tmpdir(), "lcore-chaos-"));
const ROUND_MS = 90_000;
const DRAIN_MS = 120_000;

let seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
say(`state in ${stateDir}; ${minutes} min of faults; first seed ${seed} (replay a round: --seed N --minutes 1.5)`);
// --log FILE: the components' logs (devnet, gateway) and the harness's lines, for a failed run.
const logFile = values.log ? createWriteStream(values.log) : undefined;
const note = (m) => {
  say(m);
  logFile?.write(`[chaos] ${m}\n`);
};
const h = await startChaos({
  stateDir,
  devices: Number(values.devices),
  log: note,
  stackLog: (c) => logFile?.write(c),
});
const failures = [];
let last = { readings: 0, lost: 0, duplicated: 0 };
try {
  h.startDevices();
  const end = Date.now() + minutes * 60_000;
  for (let round = 1; Date.now() < end; round++) {
    const rand = prng(seed ^ 0x5eed); // the round's kinds, from its seed too
    const kinds = Object.keys(FAULTS);
    const faults = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => kinds[Math.floor(rand() * kinds.length)]);
    say(`round ${round}, seed ${seed}: ${faults.join(", ")}`);
    await runFaults(h, { seed, faults, durationMs: Math.min(ROUND_MS, Math.max(20_000, end - Date.now())) });
    const now = await waitDrained(h, 30_000);
    say(`round ${round}: ${now.readings} readings answered 202, ${now.lost} not yet accepted, ${now.queued} queued`);
    // Settlement continues after every round of faults, not only at the end.
    const s = await settles(h, 60_000);
    say(s.ok ? `round ${round}: a period settled (input ${s.input})` : `round ${round}: settlement did NOT continue`);
    if (!s.ok) failures.push(`settlement stopped after round ${round} (seed ${seed})`);
    seed = Math.floor(Math.random() * 2 ** 31);
  }
  await h.stopDevices();
  say("faults stopped; waiting for the gateway to drain");
  last = await waitDrained(h, DRAIN_MS);
  say(`drained: ${JSON.stringify(last)}`);
  const r = await replay(h);
  say(`replay: ${r.out.split("\n").pop()}`);
  if (!r.ok) failures.push(`node != replay: ${r.out}`);
  const s = await settles(h, 90_000);
  say(s.ok ? `settlement continued (period settled in input ${s.input})` : "settlement did NOT continue");
  if (!s.ok) failures.push("settlement stopped");
  if (h.stackFailure()) failures.push(`stack failed: ${h.stackFailure().message}`);
} catch (e) {
  failures.push(`harness: ${e.stack ?? e}`);
} finally {
  await h.stop().catch(() => {});
  if (!values.keep) rmSync(stateDir, { recursive: true, force: true });
}
say(`faults: ${h.faults.map((f) => `${f.kind}${f.detail.startsWith("FAILED") ? "(failed)" : ""}`).join(" ")}`);
say(`refused by the gateway (not counted): ${JSON.stringify(h.refused)}`);
process.stdout.write(`BENCH chaos.readings ${last.readings} readings\n`);
process.stdout.write(`BENCH chaos.lost ${last.lost} readings\n`);
process.stdout.write(`BENCH chaos.duplicated ${last.duplicated} readings\n`);
for (const f of failures) say(`FAILURE: ${f}`);
process.exit(last.lost > 0 || last.duplicated > 0 || failures.length > 0 ? 1 : 0);
