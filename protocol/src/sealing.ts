// PROTOCOL §2: the key tree and the dual AEAD cascade. Everything here is derived,
// nothing random, so the gateway's output is reproducible and a (device, seq) pair —
// accepted once by the dApp — uses its record keys and nonces for one message only.

import { aes256GcmOpen, aes256GcmSeal, chacha20Poly1305Open, chacha20Poly1305Seal, hkdfSha256 } from "@lcore/wasm-core";
import { ByteWriter, ascii, u64Bytes } from "./bytes.js";

export const PERIOD_KEY_SALT = ascii("lcore/v1/period");
export const RECORD_KEY_SALT = ascii("lcore/v1/record");
export const AAD_TAG = ascii("lcore/v1/aad");

/** periodKey = HKDF(ikm = ownerMasterKey, salt = "lcore/v1/period", info = app(20) || device(20) || period(u32), L = 32). */
export function derivePeriodKey(
  ownerMasterKey: Uint8Array,
  app: Uint8Array,
  device: Uint8Array,
  period: number,
): Uint8Array {
  if (ownerMasterKey.length !== 32) throw new RangeError("owner master key must be 32 bytes");
  const info = new ByteWriter(44).bytes(app, 20).bytes(device, 20).u32(period).finish();
  return hkdfSha256(ownerMasterKey, PERIOD_KEY_SALT, info, 32);
}

export interface RecordKeys {
  aesKey: Uint8Array;
  chachaKey: Uint8Array;
  aesNonce: Uint8Array;
  chachaNonce: Uint8Array;
}

/** recordKeys = HKDF(ikm = periodKey, salt = "lcore/v1/record", info = seq(u64), L = 88), split 32/32/12/12. */
export function deriveRecordKeys(periodKey: Uint8Array, seq: bigint): RecordKeys {
  if (periodKey.length !== 32) throw new RangeError("period key must be 32 bytes");
  const okm = hkdfSha256(periodKey, RECORD_KEY_SALT, u64Bytes(seq), 88);
  return {
    aesKey: okm.slice(0, 32),
    chachaKey: okm.slice(32, 64),
    aesNonce: okm.slice(64, 76),
    chachaNonce: okm.slice(76, 88),
  };
}

/** aad = "lcore/v1/aad" || app(20) || device(20) || seq(u64) || digest(32): the record's public header. */
export function recordAad(app: Uint8Array, device: Uint8Array, seq: bigint, digest: Uint8Array): Uint8Array {
  return new ByteWriter(92).bytes(AAD_TAG).bytes(app, 20).bytes(device, 20).u64(seq).bytes(digest, 32).finish();
}

export interface SealParameters {
  periodKey: Uint8Array;
  app: Uint8Array;
  device: Uint8Array;
  seq: bigint;
  /** readingDigest of the record: binds the ciphertext to the signed header. */
  digest: Uint8Array;
}

/** sealed = ChaCha20-Poly1305(chachaKey, chachaNonce, AES-256-GCM(aesKey, aesNonce, body, aad), aad): len(body) + 32 bytes. */
export function sealReading(p: SealParameters & { body: Uint8Array }): Uint8Array {
  const k = deriveRecordKeys(p.periodKey, p.seq);
  const aad = recordAad(p.app, p.device, p.seq, p.digest);
  try {
    const inner = aes256GcmSeal(k.aesKey, k.aesNonce, p.body, aad);
    return chacha20Poly1305Seal(k.chachaKey, k.chachaNonce, inner, aad);
  } finally {
    wipe(k);
  }
}

/** The body, or an AuthenticationError from wasm-core (no plaintext released) if either layer fails. */
export function openReading(p: SealParameters & { sealed: Uint8Array }): Uint8Array {
  const k = deriveRecordKeys(p.periodKey, p.seq);
  const aad = recordAad(p.app, p.device, p.seq, p.digest);
  try {
    const inner = chacha20Poly1305Open(k.chachaKey, k.chachaNonce, p.sealed, aad);
    return aes256GcmOpen(k.aesKey, k.aesNonce, inner, aad);
  } finally {
    wipe(k);
  }
}

function wipe(k: RecordKeys): void {
  k.aesKey.fill(0);
  k.chachaKey.fill(0);
  k.aesNonce.fill(0);
  k.chachaNonce.fill(0);
}
