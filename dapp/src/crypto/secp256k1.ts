// secp256k1 for the dApp. Two implementations of one rule (PROTOCOL §1: compact r || s,
// r and s in [1, n-1], s ≤ n/2, SEC1 keys): libsecp256k1 through lcore's own Node-API
// addon (dapp/native), native code with 64-bit limbs, which verifies several times faster,
// where it loads; and tiny-secp256k1 (the same library compiled to scalar WASM), the
// reference and the fallback. The agreement test holds them to the same verdict on every
// Wycheproof vector and edge case; a machine image sets LCORE_REQUIRE_NATIVE=1 so that it
// never falls back silently.

import * as secp from "tiny-secp256k1";
import { loadNativeSecp256k1, type NativeLoad } from "@lcore/dapp/native";
import { deviceAddress } from "@lcore/protocol/deviceMessage";

/** Which verifier records go through: the addon's, or undefined and why (main.ts prints it). */
export const nativeSecp256k1: NativeLoad = loadNativeSecp256k1();

/** n / 2: signatures with s above it are the malleable twin and are refused (EIP-2, PROTOCOL §1). */
const HALF_N = new Uint8Array([
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
  0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/** 0x04 || x || y: the form libsecp256k1 parses without a square root. */
export function sec1PublicKey(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(raw, 1);
  return out;
}

/** Is x || y a point on the curve? */
export function isValidPublicKey(raw: Uint8Array): boolean {
  return raw.length === 64 && secp.isPoint(sec1PublicKey(raw));
}

/**
 * Verify a compact r || s signature of a 32-byte digest against a 65-byte SEC1 key, in WASM.
 * Strict: high-s is refused. Malformed r or s (zero, ≥ n) is `false`, never a throw.
 */
export function verifyDigestWasm(digest: Uint8Array, publicKey65: Uint8Array, signature: Uint8Array): boolean {
  try {
    return secp.verify(digest, publicKey65, signature, true);
  } catch {
    return false;
  }
}

/** verifyDigestWasm's rule, on the native addon when it loaded. */
export const verifyDigest: (digest: Uint8Array, publicKey65: Uint8Array, signature: Uint8Array) => boolean =
  nativeSecp256k1.verifier?.verifyDigest ?? verifyDigestWasm;

export function isLowS(signature: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const s = signature[32 + i]!;
    const h = HALF_N[i]!;
    if (s !== h) return s < h;
  }
  return true;
}

/**
 * The Ethereum address that signed `digest` with a 65-byte r || s || v signature
 * (v ∈ {27, 28}, or {0, 1}), or null if the signature is malformed, high-s or recovers
 * no key. Used for owner permits.
 */
export function recoverSigner(digest: Uint8Array, signature65: Uint8Array): Uint8Array | null {
  if (signature65.length !== 65) return null;
  const v = signature65[64]!;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) return null;
  const rs = signature65.subarray(0, 64);
  if (!isLowS(rs)) return null;
  try {
    const key = secp.recover(digest, rs, recoveryId, false);
    return key === null ? null : deviceAddress(key);
  } catch {
    return null;
  }
}
