// The cases on which the native verifier must agree with the WASM one, shared by
// test/secp256k1Agreement.test.ts (host, under vitest) and check.mjs (any Node, riscv64 under
// qemu-user included): every Wycheproof vector, edge cases, and seeded random signatures.
//
// The WASM reference is tiny-secp256k1 called exactly as the dApp's verifier calls it
// (dapp/src/crypto/secp256k1.ts, verifyDigest and isValidPublicKey): verify(digest, key, sig,
// strict = true), any throw being false; isPoint on SEC1 bytes.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as tiny from "tiny-secp256k1";
import { secp256k1 } from "@noble/curves/secp256k1.js";

/** secp256k1's group order n, n/2 and the field prime p. */
export const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const HALF_N = N >> 1n;
export const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

export const WYCHEPROOF_FILE = new URL("../test/vectors/ecdsa_secp256k1_sha256_p1363_test.json", import.meta.url);

/** The dApp's WASM rule (dapp/src/crypto/secp256k1.ts verifyDigest). */
export function wasmVerifyDigest(digest, publicKey, signature) {
  try {
    return tiny.verify(digest, publicKey, signature, true);
  } catch {
    return false;
  }
}

/** tiny-secp256k1's isPoint (SEC1 only: 33 or 65 bytes), as the dApp's isValidPublicKey calls it. */
export function wasmIsPoint(publicKey) {
  try {
    return tiny.isPoint(publicKey);
  } catch {
    return false;
  }
}

export const fromHex = (hex) => Uint8Array.from(Buffer.from(hex, "hex"));
export const toHex = (bytes) => Buffer.from(bytes).toString("hex");
export const sha256 = (data) => new Uint8Array(createHash("sha256").update(data).digest());
export const big = (bytes) => (bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`));
export const be32 = (value) => fromHex(value.toString(16).padStart(64, "0"));

/** A 65-byte SEC1 key in its 33-byte compressed form. */
export function compress(key65) {
  return Uint8Array.of(2 + (key65[64] & 1), ...key65.subarray(1, 33));
}

/** r || s with s replaced by n - s: the other signature of the same pair. */
export function flipS(signature) {
  const out = signature.slice();
  out.set(be32(N - big(signature.subarray(32, 64))), 32);
  return out;
}

/**
 * Every Wycheproof test as a case. `expected` is the rule's verdict: Wycheproof's (plain
 * ECDSA) except that a valid signature with s > n/2 is refused (`highS`).
 */
export function wycheproofCases(file = WYCHEPROOF_FILE) {
  const json = JSON.parse(readFileSync(file, "utf8"));
  const cases = [];
  for (const group of json.testGroups) {
    const key = fromHex(group.publicKey.uncompressed);
    for (const test of group.tests) {
      const signature = fromHex(test.sig);
      const highS = signature.length === 64 && big(signature.subarray(32)) > HALF_N;
      cases.push({
        name: `wycheproof #${test.tcId} ${test.comment} (${test.result})`,
        tcId: test.tcId,
        wycheproofValid: test.result === "valid",
        highS,
        expected: test.result === "valid" && !highS,
        digest: sha256(fromHex(test.msg)),
        key,
        signature,
      });
    }
  }
  return cases;
}

/** A deterministic key, digest and low-s signature for the i-th seeded case. */
export function signedCase(seed, i) {
  const secret = sha256(Buffer.from(`lcore agreement key ${seed} ${i}`));
  const digest = sha256(Buffer.from(`lcore agreement message ${seed} ${i}`));
  const key = secp256k1.getPublicKey(secret, false);
  const signature = secp256k1.sign(digest, secret, { prehash: false, lowS: true });
  return { digest, key, signature };
}

/** Named edge cases: (digest, key, signature) and the verdict the rule gives. */
export function edgeCases() {
  const { digest, key, signature } = signedCase("edge", 0);
  const compressed = compress(key);
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32, 64);
  const sig = (rr, ss) => Uint8Array.of(...rr, ...ss);
  const x = big(key.subarray(1, 33));
  const y = big(key.subarray(33, 65));
  const key65 = (xx, yy, prefix = 4) => Uint8Array.of(prefix, ...be32(xx), ...be32(yy));
  // An x with no point above it: x^3 + 7 is not a square mod p (x = 5 is one).
  const noSquareRoot = Uint8Array.of(2, ...be32(5n));
  const infinity65 = new Uint8Array(65);
  infinity65[0] = 4;
  const withOffset = (bytes) => {
    const backing = new Uint8Array(bytes.length + 7);
    backing.set(bytes, 7);
    return backing.subarray(7);
  };
  const other = signedCase("edge", 1);
  const cases = [
    ["valid, uncompressed key", digest, key, signature, true],
    ["valid, compressed key", digest, compressed, signature, true],
    ["valid, hybrid key (0x06/0x07 prefix)", digest, key65(x, y, 6 + Number(y & 1n)), signature, true],
    ["hybrid prefix with the wrong parity", digest, key65(x, y, 7 - Number(y & 1n)), signature, false],
    ["valid, inputs are views at an offset", withOffset(digest), withOffset(key), withOffset(signature), true],
    ["valid, inputs are Buffers", Buffer.from(digest), Buffer.from(key), Buffer.from(signature), true],
    ["high s (n - s)", digest, key, flipS(signature), false],
    ["high s, compressed key", digest, compressed, flipS(signature), false],
    ["s = n/2 + 1", digest, key, sig(r, be32(HALF_N + 1n)), false],
    ["r = 0", digest, key, sig(be32(0n), s), false],
    ["s = 0", digest, key, sig(r, be32(0n)), false],
    ["r = s = 0", digest, key, new Uint8Array(64), false],
    ["r = n", digest, key, sig(be32(N), s), false],
    ["s = n", digest, key, sig(r, be32(N)), false],
    ["r = n + 1", digest, key, sig(be32(N + 1n), s), false],
    ["r = 2^256 - 1", digest, key, sig(be32(2n ** 256n - 1n), s), false],
    ["s = 2^256 - 1", digest, key, sig(r, be32(2n ** 256n - 1n)), false],
    ["r = n - 1, s = 1", digest, key, sig(be32(N - 1n), be32(1n)), false],
    ["another digest", other.digest, key, signature, false],
    ["another key", digest, other.key, signature, false],
    [
      "a parity-flipped compressed key (the negated point)",
      digest,
      Uint8Array.of(compressed[0] ^ 1, ...compressed.subarray(1)),
      signature,
      false,
    ],
    ["key off the curve (y + 1)", digest, key65(x, (y + 1n) % P), signature, false],
    ["key with x = p (out of the field)", digest, key65(P, y), signature, false],
    ["key with y = p (out of the field)", digest, key65(x, P), signature, false],
    ["compressed key whose x has no point", digest, noSquareRoot, signature, false],
    ["point at infinity, 0x00", digest, Uint8Array.of(0), signature, false],
    ["point at infinity, 0x04 and 64 zero bytes", digest, infinity65, signature, false],
    ["point at infinity, 0x02 and 32 zero bytes", digest, Uint8Array.of(2, ...new Uint8Array(32)), signature, false],
    ["65 zero bytes", digest, new Uint8Array(65), signature, false],
    ["prefix 0x05", digest, Uint8Array.of(5, ...key.subarray(1)), signature, false],
    ["key of 64 bytes (no prefix)", digest, key.subarray(1), signature, false],
    ["key of 66 bytes", digest, Uint8Array.of(...key, 0), signature, false],
    ["key of 32 bytes (x only)", digest, key.subarray(1, 33), signature, false],
    ["empty key", digest, new Uint8Array(0), signature, false],
    ["digest of 31 bytes", digest.subarray(0, 31), key, signature, false],
    ["digest of 33 bytes", Uint8Array.of(...digest, 0), key, signature, false],
    ["empty digest", new Uint8Array(0), key, signature, false],
    ["signature of 63 bytes", digest, key, signature.subarray(0, 63), false],
    ["signature of 65 bytes (r || s || v)", digest, key, Uint8Array.of(...signature, 27), false],
    ["empty signature", digest, key, new Uint8Array(0), false],
    ["digest as an Array", Array.from(digest), key, signature, false],
    ["key as a Uint8ClampedArray", digest, new Uint8ClampedArray(key), signature, false],
    ["signature as a DataView", digest, key, new DataView(signature.buffer, signature.byteOffset, 64), false],
    ["signature as hex text", digest, key, toHex(signature), false],
    ["undefined key", digest, undefined, signature, false],
    ["null signature", digest, key, null, false],
  ];
  return cases.map(([name, d, k, sg, expected]) => ({ name, digest: d, key: k, signature: sg, expected }));
}

/** Every distinct key of the edge cases, for isPoint. */
export function pointCases() {
  const seen = new Set();
  return edgeCases()
    .filter((c) => {
      const id = c.key instanceof Uint8Array ? `${c.key.constructor.name}:${toHex(c.key)}` : String(c.key);
      return !seen.has(id) && seen.add(id);
    })
    .map((c) => ({ name: c.name, key: c.key }));
}

/** `count` seeded random cases: a signature, sometimes corrupted or flipped to high s, under either key form. */
export function randomCases(seed, count) {
  const cases = [];
  for (let i = 0; i < count; i++) {
    const { digest, key, signature } = signedCase(seed, i);
    const pick = sha256(Buffer.from(`lcore agreement mutation ${seed} ${i}`));
    const form = pick[0] & 1 ? compress(key) : key;
    const mutation = pick[1] % 4; // 0: as signed, 1: high s, 2: a flipped bit in the signature, 3: in the digest
    const sig = mutation === 1 ? flipS(signature) : signature.slice();
    const dig = digest.slice();
    if (mutation === 2) sig[pick[2] % 64] ^= 1 << (pick[3] % 8);
    if (mutation === 3) dig[pick[2] % 32] ^= 1 << (pick[3] % 8);
    cases.push({
      name: `random ${seed}/${i} (${["as signed", "high s", "signature bit flipped", "digest bit flipped"][mutation]})`,
      digest: dig,
      key: form,
      signature: sig,
      expected: mutation === 0,
    });
  }
  return cases;
}

/**
 * Runs every case through both verifiers. Returns the disagreements (native ≠ WASM) and the
 * departures from the expected verdict, each as a line.
 */
export function compare(native, cases) {
  const disagreements = [];
  const unexpected = [];
  for (const c of cases) {
    const a = native.verifyDigest(c.digest, c.key, c.signature);
    const b = wasmVerifyDigest(c.digest, c.key, c.signature);
    if (a !== b) disagreements.push(`${c.name}: native ${a}, WASM ${b}`);
    else if (c.expected !== undefined && a !== c.expected)
      unexpected.push(`${c.name}: both ${a}, expected ${c.expected}`);
  }
  return { disagreements, unexpected };
}

/** isPoint on both sides; returns the disagreements as lines. */
export function comparePoints(native, cases) {
  const disagreements = [];
  for (const c of cases) {
    const a = native.isPoint(c.key);
    const b = wasmIsPoint(c.key);
    if (a !== b) disagreements.push(`isPoint ${c.name}: native ${a}, WASM ${b}`);
  }
  return disagreements;
}
