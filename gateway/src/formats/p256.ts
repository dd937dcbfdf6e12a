// P-256 keys and signatures at the gateway (PROTOCOL §12.3), with @noble/curves, and the
// request a format registration takes. s is normalised to the low twin before anything is
// stored (§12.1), so both forms a device may send give one record.

import { p256 } from "@noble/curves/nist.js";
import type { DeviceFormat } from "@lcore/protocol/deviceFormats";
import type { PreparedKey } from "../devices/signature.js";

export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export interface FormatRequest {
  format: DeviceFormat;
  /** x || y */
  publicKey: Uint8Array;
  /** Low-s r || s of the registration proof digest, or empty. */
  proof: Uint8Array;
  scale: number;
  valueField: string;
  metadata: string;
  sdkId: string | null;
}

/** The key in the registry's form, or null when x || y is not on P-256. */
export function p256Prepared(publicKey: Uint8Array): PreparedKey | null {
  if (publicKey.length !== 64) return null;
  const uncompressed = new Uint8Array(65);
  uncompressed[0] = 4;
  uncompressed.set(publicKey, 1);
  try {
    p256.Point.fromBytes(uncompressed).assertValidity();
    return { uncompressed, openssl: undefined };
  } catch {
    return null;
  }
}

/** Low-s r || s over a 32-byte digest; never throws. */
export function verifyP256(digest: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean {
  const key = p256Prepared(publicKey);
  if (key === null || signature.length !== 64) return false;
  try {
    return p256.verify(signature, digest, key.uncompressed, { prehash: false, lowS: true });
  } catch {
    return false;
  }
}

/** r || s with s replaced by n − s when s > n/2: the one form records carry (PROTOCOL §12.1). Null if r or s is out of range. */
export function lowS(signature: Uint8Array, n: bigint): Uint8Array | null {
  if (signature.length !== 64) return null;
  const hex = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString("hex") || "0"}`);
  const r = hex(signature.subarray(0, 32));
  const s = hex(signature.subarray(32));
  if (r === 0n || r >= n || s === 0n || s >= n) return null;
  if (s <= n >> 1n) return signature;
  const out = signature.slice();
  out.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}
