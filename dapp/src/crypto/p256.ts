// P-256 (secp256r1) for the dApp: JWS ES256 devices (PROTOCOL §12.3). @noble/curves'
// audited pure-TypeScript implementation; the agreement test holds it to every Wycheproof
// ecdsa_secp256r1_sha256_p1363 vector. Records need one valid signature each, so the
// record rule is low-s as for secp256k1 (the gateway normalises s to n − s, §12.1).

import { p256 } from "@noble/curves/nist.js";

/** Is x || y a point on P-256? */
export function isValidP256Key(raw: Uint8Array): boolean {
  if (raw.length !== 64) return false;
  try {
    p256.Point.fromBytes(sec1(raw)).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/**
 * Verify r || s over a 32-byte digest against x || y. `lowS` refuses s > n/2 (the record
 * rule); without it, any valid ECDSA signature (what Wycheproof calls valid). Never throws.
 */
export function verifyP256Digest(digest: Uint8Array, raw: Uint8Array, signature: Uint8Array, lowS = true): boolean {
  if (signature.length !== 64 || raw.length !== 64) return false;
  try {
    return p256.verify(signature, digest, sec1(raw), { prehash: false, lowS, format: "compact" });
  } catch {
    return false;
  }
}

function sec1(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(raw, 1);
  return out;
}
