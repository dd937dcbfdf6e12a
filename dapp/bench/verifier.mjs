#!/usr/bin/env node
// Which secp256k1 verifier the dApp uses, on the exact call it makes per record: verify a
// compact low-s signature over a 32-byte digest against a 65-byte uncompressed key. The native
// addon (native/, libsecp256k1 through Node-API) against tiny-secp256k1 (libsecp256k1 compiled
// to WASM, the reference and fallback) against @noble/curves (pure JS); then the same native
// against WASM on riscv64 Node under qemu-user when the riscv64 addon is built
// (`npm run build-native-riscv64 -w dapp`) — RISCV64=0 skips it.
// `npm run bench:verifier -w dapp` — prints µs/verify and, last, the BENCH lines:
//   BENCH dapp.verify.native_over_wasm <WASM µs / native µs> x      (and dapp.riscv64.verify.…)
import { spawnSync } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tiny from "tiny-secp256k1";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { addonFileName, defaultSearchDirs, loadNativeSecp256k1 } from "../native/index.js";

const CHILD = process.env.LCORE_BENCH_VERIFIER_CHILD === "1";
const N = Number(process.env.N ?? (process.arch === "riscv64" ? 600 : 3000));
const cases = [];
for (let i = 0; i < 64; i++) {
  const sk = secp256k1.utils.randomSecretKey();
  const pk = secp256k1.getPublicKey(sk, false);
  const digest = createHash("sha256").update(randomBytes(72)).digest();
  const sig = secp256k1.sign(digest, sk, { prehash: false, lowS: true });
  cases.push({ pk, digest: new Uint8Array(digest), sig });
}

// N verifications in ROUNDS rounds; the fastest round counts, so that another process taking
// the core for a while (2 shared cores) does not land in one verifier's figure.
const ROUNDS = 5;
function time(name, verify) {
  for (let i = 0; i < Math.min(300, N); i++) verify(cases[i % cases.length]); // warm-up
  const per = Math.ceil(N / ROUNDS);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) {
      if (!verify(cases[i % cases.length])) throw new Error(`${name}: valid signature refused`);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / per);
  }
  const us = best;
  if (!CHILD)
    console.log(
      `${name.padEnd(16)} ${us.toFixed(1).padStart(7)} µs/verify  ${(1e6 / us).toFixed(0).padStart(6)} verify/s  (fastest of ${ROUNDS} rounds of ${per})`,
    );
  return us;
}

const { verifier: native, reason } = loadNativeSecp256k1();
const wasmUs = time("tiny-secp256k1", (c) => tiny.verify(c.digest, c.pk, c.sig, true));
const nativeUs = native ? time("native", (c) => native.verifyDigest(c.digest, c.pk, c.sig)) : undefined;
if (CHILD) {
  console.log(
    JSON.stringify({
      arch: process.arch,
      node: process.version,
      n: N,
      wasmUs,
      nativeUs,
      source: native?.source,
      reason,
    }),
  );
  process.exit(0);
}
const nobleUs = time("@noble/curves", (c) => secp256k1.verify(c.sig, c.digest, c.pk, { prehash: false, lowS: true }));
console.log(`noble / tiny = ${(nobleUs / wasmUs).toFixed(2)}×`);
if (native) console.log(`tiny / native = ${(wasmUs / nativeUs).toFixed(2)}× (native: ${native.source})`);
else console.log(`native: not available (${reason})`);

let riscv64;
const riscv64Addon = join(defaultSearchDirs()[1], addonFileName("linux", "riscv64"));
if (process.env.RISCV64 === "0") {
  console.log("riscv64: skipped (RISCV64=0)");
} else if (!existsSync(riscv64Addon)) {
  console.log(`riscv64: skipped (${riscv64Addon} is not built: npm run build-native-riscv64 -w dapp)`);
} else {
  const { fetchRiscv64Runtime, riscv64NodeCommand } = await import("@lcore/devnet");
  const runtime = await fetchRiscv64Runtime();
  const [command, ...args] = riscv64NodeCommand(runtime, [fileURLToPath(import.meta.url)]);
  const run = spawnSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      LCORE_BENCH_VERIFIER_CHILD: "1",
      LCORE_NATIVE_SECP256K1: riscv64Addon,
      N: process.env.RISCV64_N ?? "600",
    },
  });
  if (run.status !== 0) throw new Error(`the riscv64 run failed (exit ${run.status ?? run.signal})`);
  riscv64 = JSON.parse(run.stdout.trim().split("\n").pop());
  console.log(
    `\nriscv64 (Debian trixie Node ${riscv64.node} under qemu-riscv64-static, ${riscv64.n} verifications each):`,
  );
  console.log(`tiny-secp256k1   ${riscv64.wasmUs.toFixed(1).padStart(7)} µs/verify`);
  if (riscv64.nativeUs !== undefined)
    console.log(`native           ${riscv64.nativeUs.toFixed(1).padStart(7)} µs/verify  (${riscv64.source})`);
  else console.log(`native: not available on riscv64 (${riscv64.reason})`);
}

console.log(`BENCH dapp.verify.wasm_us ${wasmUs.toFixed(1)} µs`);
if (native) {
  console.log(`BENCH dapp.verify.native_us ${nativeUs.toFixed(1)} µs`);
  console.log(`BENCH dapp.verify.native_over_wasm ${(wasmUs / nativeUs).toFixed(1)} x`);
}
if (riscv64) {
  console.log(`BENCH dapp.riscv64.verify.wasm_us ${riscv64.wasmUs.toFixed(1)} µs`);
  if (riscv64.nativeUs !== undefined) {
    console.log(`BENCH dapp.riscv64.verify.native_us ${riscv64.nativeUs.toFixed(1)} µs`);
    console.log(`BENCH dapp.riscv64.verify.native_over_wasm ${(riscv64.wasmUs / riscv64.nativeUs).toFixed(1)} x`);
  }
}
