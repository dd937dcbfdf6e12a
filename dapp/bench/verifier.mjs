#!/usr/bin/env node
// Which secp256k1 verifier the dApp uses: tiny-secp256k1 (libsecp256k1 compiled to
// WASM) against @noble/curves (pure JS), on the exact call the dApp makes: verify a
// compact low-s signature over a 32-byte digest against a 65-byte uncompressed key.
// `node dapp/bench/verifier.mjs` — prints µs/verify and the ratio.
import { randomBytes, createHash } from "node:crypto";
import * as tiny from "tiny-secp256k1";
import { secp256k1 } from "@noble/curves/secp256k1.js";

const N = Number(process.env.N ?? 3000);
const cases = [];
for (let i = 0; i < 64; i++) {
  const sk = secp256k1.utils.randomSecretKey();
  const pk = secp256k1.getPublicKey(sk, false);
  const digest = createHash("sha256").update(randomBytes(72)).digest();
  const sig = secp256k1.sign(digest, sk, { prehash: false, lowS: true });
  cases.push({ pk, digest: new Uint8Array(digest), sig });
}

function time(name, verify) {
  for (let i = 0; i < 300; i++) verify(cases[i % cases.length]); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    if (!verify(cases[i % cases.length])) throw new Error(`${name}: valid signature refused`);
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  console.log(
    `${name.padEnd(16)} ${us.toFixed(1).padStart(7)} µs/verify  ${(1e6 / us).toFixed(0).padStart(6)} verify/s`,
  );
  return us;
}

const t = time("tiny-secp256k1", (c) => tiny.verify(c.digest, c.pk, c.sig, true));
const n = time("@noble/curves", (c) => secp256k1.verify(c.sig, c.digest, c.pk, { prehash: false, lowS: true }));
console.log(`noble / tiny = ${(n / t).toFixed(2)}×`);
