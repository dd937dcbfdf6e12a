// Verification of device signatures (PROTOCOL §1): secp256k1 ECDSA over
// digest = SHA-256(M), compact r || s, low-s only.
//
// The verifier is on the ingest hot path, so its speed bounds readings/s. Measured on
// the 2-core bench machine (one core, one key): libsecp256k1 through the `secp256k1`
// package's prebuilt N-API binary about 19,000 verifications/s, OpenSSL through
// node:crypto about 2,800/s, @noble/curves about 730/s. The gateway uses libsecp256k1
// and falls back to OpenSSL (never to the package's pure-JS `elliptic` fallback) when
// the binary cannot load on the platform.

import { createPublicKey, verify as opensslVerify, type KeyObject } from "node:crypto";
import { createRequire } from "node:module";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { toHex } from "@lcore/protocol/bytes";

/** secp256k1's group order n, and n/2: a signature with s > n/2 is the high-s twin and is refused. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;

/** A device's public key, prepared once at registration/startup for fast verification. */
export interface PreparedKey {
  /** 0x04 || x || y */
  readonly uncompressed: Uint8Array;
  readonly openssl: KeyObject | undefined;
}

export type SignatureCheck = "ok" | "invalid" | "high-s";

export interface SignatureVerifier {
  readonly backend: "libsecp256k1" | "openssl";
  /** Null when the 64 bytes x || y are not a point on the curve. */
  prepare(publicKey: Uint8Array): PreparedKey | null;
  /**
   * Checks `signature` over `digest`. `message`, when given, is the preimage with
   * SHA-256(message) = digest; the OpenSSL backend needs it (node:crypto cannot verify a
   * bare digest) and otherwise verifies with @noble/curves.
   */
  verify(key: PreparedKey, digest: Uint8Array, signature: Uint8Array, message?: Uint8Array): SignatureCheck;
}

interface NativeSecp256k1 {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  publicKeyVerify(pubkey: Uint8Array): boolean;
}

function loadNative(): NativeSecp256k1 | null {
  try {
    // `secp256k1/bindings` loads only the native binary and throws if it cannot.
    return createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return null;
  }
}

function scalar(bytes: Uint8Array, from: number): bigint {
  return BigInt(toHex(bytes.subarray(from, from + 32)));
}

/** r and s in [1, n-1], s ≤ n/2. */
function checkScalars(signature: Uint8Array): SignatureCheck {
  if (signature.length !== 64) return "invalid";
  const r = scalar(signature, 0);
  const s = scalar(signature, 32);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) return "invalid";
  return s > HALF_N ? "high-s" : "ok";
}

function uncompressed(publicKey: Uint8Array): Uint8Array | null {
  if (publicKey.length !== 64) return null;
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(publicKey, 1);
  return out;
}

function opensslKey(publicKey: Uint8Array): KeyObject | undefined {
  try {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");
    return createPublicKey({
      key: { kty: "EC", crv: "secp256k1", x: b64(publicKey.subarray(0, 32)), y: b64(publicKey.subarray(32, 64)) },
      format: "jwk",
    });
  } catch {
    return undefined; // not on the curve
  }
}

export function createSignatureVerifier(prefer: "libsecp256k1" | "openssl" = "libsecp256k1"): SignatureVerifier {
  const native = prefer === "libsecp256k1" ? loadNative() : null;
  if (native !== null) {
    return {
      backend: "libsecp256k1",
      prepare(publicKey) {
        const key = uncompressed(publicKey);
        return key !== null && native.publicKeyVerify(key) ? { uncompressed: key, openssl: undefined } : null;
      },
      verify(key, digest, signature) {
        const shape = checkScalars(signature);
        if (shape !== "ok") return shape;
        try {
          return native.ecdsaVerify(signature, digest, key.uncompressed) ? "ok" : "invalid";
        } catch {
          return "invalid";
        }
      },
    };
  }
  return {
    backend: "openssl",
    prepare(publicKey) {
      const key = uncompressed(publicKey);
      const openssl = key === null ? undefined : opensslKey(publicKey);
      return key === null || openssl === undefined ? null : { uncompressed: key, openssl };
    },
    verify(key, digest, signature, message) {
      const shape = checkScalars(signature);
      if (shape !== "ok") return shape;
      if (message === undefined) {
        return secp256k1.verify(signature, digest, key.uncompressed, { prehash: false, lowS: true }) ? "ok" : "invalid";
      }
      const openssl = key.openssl ?? opensslKey(key.uncompressed.subarray(1));
      if (openssl === undefined) return "invalid";
      // node:crypto hashes the message with SHA-256 itself, which is exactly the digest that was signed.
      return opensslVerify("sha256", message, { key: openssl, dsaEncoding: "ieee-p1363" }, signature)
        ? "ok"
        : "invalid";
    },
  };
}
