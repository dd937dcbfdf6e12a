// Evidence bundle size and verification time for one device-day of minute readings
// (1,440), the figures issue 29 asks for. The day is synthetic (cli/src/evidence/
// syntheticEvidence.ts): 10 devices reporting each minute, one record-batch input a minute
// (the gateway's 2 s batching), 24 hourly settlement periods, built as the dApp builds
// them. Verification runs the protocol's verifier over an in-memory chain, so the time is
// the verifier's own work (hashing, 1,440 secp256k1 verifications, proofs), without RPC
// round trips (lcore verify adds ~3 + 1,440/200 log queries and 2 calls per period).
// Run after `npm run build`: npm run bench -w cli

import { gzipSync } from "node:zlib";
import { evidenceBundleJson } from "@lcore/protocol/evidenceBundle";
import { verifyEvidence } from "@lcore/protocol/evidenceVerify";
import { syntheticEvidence } from "../dist/evidence/syntheticEvidence.js";

const READINGS = 1440;
const DEVICES = 10;
const { bundle, chain } = syntheticEvidence({ readings: READINGS, devices: DEVICES, perInput: DEVICES });
const exported = `${JSON.stringify(evidenceBundleJson(bundle), null, 1)}\n`; // as `lcore evidence export` writes it
const compact = JSON.stringify(evidenceBundleJson(bundle)); // as POST /v1/evidence answers

const times = [];
let report;
for (let i = 0; i < 3; i++) {
  const t = process.hrtime.bigint();
  report = await verifyEvidence(bundle, chain);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
if (!report.ok || !report.complete || report.readings.length !== READINGS)
  throw new Error("the synthetic day did not verify");
times.sort((a, b) => a - b);
const kib = (n) => (n / 1024).toFixed(1);
console.log(
  `device-day: ${READINGS} readings, ${bundle.devices[0].periods.length} periods, fleet of ${DEVICES} devices`,
);
console.log(
  `bundle: ${kib(exported.length)} KiB as exported (${kib(compact.length)} KiB compact JSON, ${kib(gzipSync(exported).length)} KiB gzipped)`,
);
console.log(
  `verify: ${times.map((t) => t.toFixed(0)).join(", ")} ms (median ${times[1].toFixed(0)} ms), in-memory chain`,
);
console.log(`BENCH evidence.bundle_kib.day ${kib(exported.length)} KiB`);
console.log(`BENCH evidence.verify_ms.day ${times[1].toFixed(0)} ms`);
