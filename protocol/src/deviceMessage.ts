// PROTOCOL §1: the device message M, its digest, the device address, the reading body,
// and the two proof-of-possession messages a device key signs (registration, rotation).

import { keccak256, sha256 } from "@lcore/wasm-core";
import { DISCLOSURE_PERIOD_SECONDS, MAX_READING_PAYLOAD } from "./bounds.js";
import { ByteReader, ByteWriter, ascii } from "./bytes.js";

export const READING_TAG = ascii("LCR1");
export const REGISTRATION_PROOF_TAG = ascii("LCRG");
export const ROTATION_PROOF_TAG = ascii("LCRK");
export const READING_MESSAGE_LENGTH = 72;

export interface ReadingHeader {
  /** 20-byte device address. */
  device: Uint8Array;
  seq: bigint;
  /** Device time, seconds. */
  timestamp: bigint;
  /** SHA-256 of the reading body. */
  bodyHash: Uint8Array;
}

/** M = "LCR1" || device(20) || seq(u64) || timestamp(u64) || bodyHash(32): 72 bytes. */
export function readingMessage(h: ReadingHeader): Uint8Array {
  return new ByteWriter(READING_MESSAGE_LENGTH)
    .bytes(READING_TAG)
    .bytes(h.device, 20)
    .u64(h.seq)
    .u64(h.timestamp)
    .bytes(h.bodyHash, 32)
    .finish();
}

/** digest = SHA-256(M): what the device signs. */
export function readingDigest(h: ReadingHeader): Uint8Array {
  return sha256(readingMessage(h));
}

/**
 * The ioID-style address of a secp256k1 public key: the last 20 bytes of Keccak-256 of
 * the 64-byte uncompressed key (x || y), as for an Ethereum account. Takes x || y or
 * 0x04 || x || y.
 */
export function deviceAddress(publicKey: Uint8Array): Uint8Array {
  return keccak256(rawPublicKey(publicKey)).slice(12);
}

/** x || y from either 64-byte raw or 65-byte SEC1 uncompressed form. */
export function rawPublicKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length === 64) return publicKey;
  if (publicKey.length === 65 && publicKey[0] === 0x04) return publicKey.subarray(1);
  throw new RangeError("public key must be 64 bytes (x || y) or 65 bytes (0x04 || x || y)");
}

/** period = floor(timestamp / DISCLOSURE_PERIOD_SECONDS). */
export function periodOf(timestamp: bigint): number {
  const p = timestamp / DISCLOSURE_PERIOD_SECONDS;
  if (p > 0xffffffffn) throw new RangeError("timestamp beyond the u32 period range");
  return Number(p);
}

export interface ReadingBody {
  /** 16 random bytes chosen by the device for this reading. */
  nonce: Uint8Array;
  /** Scaled integer reading, signed 64-bit. */
  value: bigint;
  /** Free-form bytes, at most MAX_READING_PAYLOAD. */
  payload: Uint8Array;
}

/** body = nonce(16) || value(i64) || payloadLength(u16) || payload. */
export function encodeReadingBody(body: ReadingBody): Uint8Array {
  if (body.value < -(1n << 63n) || body.value >= 1n << 63n) throw new RangeError("value must fit i64");
  if (body.payload.length > MAX_READING_PAYLOAD) throw new RangeError(`payload over ${MAX_READING_PAYLOAD} bytes`);
  return new ByteWriter(26 + body.payload.length)
    .bytes(body.nonce, 16)
    .u64(BigInt.asUintN(64, body.value))
    .u16(body.payload.length)
    .bytes(body.payload)
    .finish();
}

/** Inverse of encodeReadingBody; throws a DecodeError on a malformed body. */
export function decodeReadingBody(bytes: Uint8Array): ReadingBody {
  const r = new ByteReader(bytes);
  const nonce = r.take(16, "body nonce").slice();
  const value = BigInt.asIntN(64, r.u64("body value"));
  const n = r.u16("body payload length");
  if (n > MAX_READING_PAYLOAD) throw new RangeError(`payload over ${MAX_READING_PAYLOAD} bytes`);
  const payload = r.take(n, "body payload").slice();
  r.end("body");
  return { nonce, value, payload };
}

/**
 * What a device key signs to prove possession when it is registered:
 * SHA-256("LCRG" || chainId(u64) || app(20) || owner(20)). Binding the owner means a
 * third party who copies the public key cannot register the device under itself.
 */
export function registrationProofDigest(chainId: bigint, app: Uint8Array, owner: Uint8Array): Uint8Array {
  return sha256(new ByteWriter(52).bytes(REGISTRATION_PROOF_TAG).u64(chainId).bytes(app, 20).bytes(owner, 20).finish());
}

/**
 * What the new key signs on rotation: SHA-256("LCRK" || chainId(u64) || app(20) ||
 * device(20) || nonce(u64)). The device's nonce makes an old proof useless later.
 */
export function rotationProofDigest(chainId: bigint, app: Uint8Array, device: Uint8Array, nonce: bigint): Uint8Array {
  return sha256(
    new ByteWriter(60).bytes(ROTATION_PROOF_TAG).u64(chainId).bytes(app, 20).bytes(device, 20).u64(nonce).finish(),
  );
}
