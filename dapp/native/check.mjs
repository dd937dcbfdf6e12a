#!/usr/bin/env node
// The agreement check in whatever Node runs it (build-riscv64.mjs runs it on riscv64 Node under
// qemu-user): the native verifier against the WASM one on every Wycheproof vector, the edge
// cases and seeded random signatures (agreement.mjs), plus the rule's own verdicts. Loads the
// addon through index.js with LCORE_REQUIRE_NATIVE=1, so a missing or broken build is an error.
//
//   node native/check.mjs [--random N]     exit 0 when all agree, 1 otherwise

import { loadNativeSecp256k1 } from "./index.js";
import { compare, comparePoints, edgeCases, pointCases, randomCases, wycheproofCases } from "./agreement.mjs";

const at = process.argv.indexOf("--random");
const randomCount = at === -1 ? 200 : Number(process.argv[at + 1]);
const { verifier } = loadNativeSecp256k1({
  env: { ...process.env, LCORE_REQUIRE_NATIVE: "1", LCORE_DISABLE_NATIVE: undefined },
});
const started = Date.now();
const sets = [
  ["wycheproof", wycheproofCases()],
  ["edge", edgeCases()],
  ["random", randomCases(`check-${process.arch}`, randomCount)],
];
let bad = 0;
for (const [name, cases] of sets) {
  const { disagreements, unexpected } = compare(verifier, cases);
  for (const line of [...disagreements, ...unexpected]) console.log(`  ${line}`);
  bad += disagreements.length + unexpected.length;
  console.log(
    `${name}: ${cases.length} cases, ${disagreements.length} disagreements, ${unexpected.length} off the rule's verdict`,
  );
}
const points = pointCases();
const pointDisagreements = comparePoints(verifier, points);
for (const line of pointDisagreements) console.log(`  ${line}`);
bad += pointDisagreements.length;
console.log(`isPoint: ${points.length} keys, ${pointDisagreements.length} disagreements`);
console.log(
  `${bad === 0 ? "AGREE" : "DISAGREE"} on ${process.arch} Node ${process.version}: ${verifier.path} (${verifier.source}) against tiny-secp256k1, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(bad === 0 ? 0 : 1);
