// lcore-device-sdk messages (PROTOCOL §12.3): a compact JWS (RFC 7515 §7.1) that
// core/src/jose/jose.c makes with ES256 (RFC 7518 §3.4: P-256, SHA-256, r || s):
//
//   jws            = BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(r || s)
//   signing input  = BASE64URL(header) "." BASE64URL(payload)          (ASCII; the exact signed bytes)
//   digest         = SHA-256(signing input)
//
// The gateway keeps the signing input as the sealed body; the dApp recomputes the digest
// from it at disclosure and reads the reading's time and value from the payload.

import { sha256 } from "@lcore/wasm-core";
import { MAX_FORMAT_BODY } from "./deviceFormats.js";
import { FormatError } from "./formatError.js";
import { isoUtcSeconds, safeUnsigned, scaledDecimal } from "./formatValue.js";
import { jsonObject } from "./ioidMessage.js";

const B64URL = /^[A-Za-z0-9_-]+$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export interface JwsParts {
  /** ASCII bytes of header "." payload. */
  signingInput: Uint8Array;
  /** 64-byte r || s. */
  signature: Uint8Array;
}

export interface JwsReading {
  /** SHA-256 of the signing input. */
  digest: Uint8Array;
  /** iat, else the payload's timestamp (integer seconds or ISO 8601 UTC). */
  time: bigint;
  /** The owner-named field × 10^scale. */
  value: bigint;
}

/** Splits a compact JWS into its signing input and 64-byte signature; checks the header says ES256. */
export function splitCompactJws(jws: string): JwsParts {
  const parts = jws.split(".");
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)))
    throw new FormatError("bad_jws", "not three base64url parts");
  const signature = base64UrlDecode(parts[2]!);
  if (signature === null || signature.length !== 64)
    throw new FormatError("bad_jws", "the signature is not 64 bytes r || s");
  const signingInput = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  if (signingInput.length > MAX_FORMAT_BODY)
    throw new FormatError("too_large", `signing input of ${signingInput.length} bytes over ${MAX_FORMAT_BODY}`);
  jwsHeader(parts[0]!);
  return { signingInput, signature };
}

/** Reads a signing input as the dApp does at disclosure: digest, time and value. */
export function readJwsSigningInput(signingInput: Uint8Array, valueField: string, scale: number): JwsReading {
  if (signingInput.length > MAX_FORMAT_BODY)
    throw new FormatError("too_large", `${signingInput.length} bytes over ${MAX_FORMAT_BODY}`);
  let text = "";
  for (const b of signingInput) text += String.fromCharCode(b);
  const parts = text.split(".");
  if (parts.length !== 2 || !parts.every((p) => B64URL.test(p)))
    throw new FormatError("bad_jws", "not two base64url parts");
  jwsHeader(parts[0]!);
  const payload = base64UrlDecode(parts[1]!);
  if (payload === null) throw new FormatError("bad_jws", "payload is not base64url");
  const claims = jsonObject(payload);
  const time = safeUnsigned(claims.iat) ?? safeUnsigned(claims.timestamp) ?? isoUtcSeconds(claims.timestamp);
  if (time === null) throw new FormatError("no_time", "neither iat nor timestamp is a time");
  const value = Object.hasOwn(claims, valueField) ? scaledDecimal(claims[valueField], scale) : null;
  if (value === null) throw new FormatError("no_value", `field ${JSON.stringify(valueField)} × 10^${scale} is no i64`);
  return { digest: sha256(signingInput), time, value };
}

function jwsHeader(part: string): void {
  const bytes = base64UrlDecode(part);
  if (bytes === null) throw new FormatError("bad_jws", "header is not base64url");
  if (jsonObject(bytes).alg !== "ES256") throw new FormatError("bad_jws", "alg is not ES256");
}

/** Strict unpadded base64url (RFC 4648 §5): null on a character outside the alphabet or a dangling 6 bits. */
export function base64UrlDecode(s: string): Uint8Array | null {
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ALPHABET.indexOf(s[i]!);
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so each byte string has one spelling.
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

export function base64UrlEncode(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const chars = i + 2 < b.length ? 4 : i + 1 < b.length ? 3 : 2;
    for (let j = 0; j < chars; j++) s += ALPHABET[(n >> (18 - 6 * j)) & 63];
  }
  return s;
}
