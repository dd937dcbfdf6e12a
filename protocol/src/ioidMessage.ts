// ioID-SDK messages (PROTOCOL §12.2), as example/linux/solarfarm/pal/pal.c builds them:
//
//   request  = {"nonce":<u32>,"projectID":"<s>","payload":{"timestamp":<s>,"value":<u64>,"publicKey":"0x04<128 hex>"},"signature":"0x<r||s hex>"}
//   unsigned = the same JSON text without ,"signature":"…" (cJSON prints both with the same key order and no spaces)
//   h1       = SHA-256(unsigned)
//   h2       = SHA-256(h1 || LE64(payload.timestamp) || LE64(payload.value))      what the device signs (secp256k1)
//
// The gateway keeps `unsigned` byte for byte as the sealed body; the dApp recomputes h2
// from it at disclosure.

import { sha256 } from "@lcore/wasm-core";
import { MAX_FORMAT_BODY } from "./deviceFormats.js";
import { FormatError } from "./formatError.js";
import { safeUnsigned } from "./formatValue.js";
import { parseHex } from "./bytes.js";

const SIGNATURE_SUFFIX = /,"signature":"0x([0-9a-fA-F]{128})"\}$/;
const CLOSE = 0x7d; // "}"

export interface IoidMessage {
  /** The exact bytes h1 covers. */
  unsigned: Uint8Array;
  nonce: bigint;
  projectId: string;
  timestamp: bigint;
  value: bigint;
  /** x || y of payload.publicKey. */
  publicKey: Uint8Array;
  /** h2. */
  digest: Uint8Array;
}

/** Splits a request as the device sent it into the unsigned bytes and the 64-byte r || s. */
export function splitIoidRequest(raw: Uint8Array): { unsigned: Uint8Array; signature: Uint8Array } {
  // The suffix is ASCII, so decoding the whole body as latin1 keeps byte offsets.
  let tail = "";
  for (let i = Math.max(0, raw.length - 160); i < raw.length; i++) tail += String.fromCharCode(raw[i]!);
  const m = SIGNATURE_SUFFIX.exec(tail);
  if (m === null) throw new FormatError("not_signed_form", 'the body must end with ,"signature":"0x<128 hex>"}');
  const cut = raw.length - m[0].length;
  const unsigned = new Uint8Array(cut + 1);
  unsigned.set(raw.subarray(0, cut));
  unsigned[cut] = CLOSE;
  return { unsigned, signature: parseHex(`0x${m[1]}`)! };
}

/** Reads the unsigned bytes as pal.c writes them and computes h2; a FormatError if they are not that. */
export function parseIoidMessage(unsigned: Uint8Array): IoidMessage {
  if (unsigned.length > MAX_FORMAT_BODY)
    throw new FormatError("too_large", `${unsigned.length} bytes over ${MAX_FORMAT_BODY}`);
  const doc = jsonObject(unsigned);
  const payload = doc.payload;
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    throw new FormatError("bad_field", "payload must be an object");
  const p = payload as Record<string, unknown>;
  const nonce = safeUnsigned(doc.nonce);
  if (nonce === null || nonce > 0xffffffffn) throw new FormatError("bad_field", "nonce must be a u32");
  if (typeof doc.projectID !== "string") throw new FormatError("bad_field", "projectID must be a string");
  const timestamp = safeUnsigned(p.timestamp);
  if (timestamp === null) throw new FormatError("bad_field", "payload.timestamp must be an integer in 0..2^53-1");
  const value = safeUnsigned(p.value);
  if (value === null) throw new FormatError("bad_field", "payload.value must be an integer in 0..2^53-1");
  const key = typeof p.publicKey === "string" ? parseHex(p.publicKey) : null;
  if (key === null || key.length !== 65 || key[0] !== 0x04)
    throw new FormatError("bad_field", "payload.publicKey must be 0x04 followed by 64 bytes of hex");
  return {
    unsigned,
    nonce,
    projectId: doc.projectID,
    timestamp,
    value,
    publicKey: key.slice(1),
    digest: ioidDigest(unsigned, timestamp, value),
  };
}

/** h2 = SHA-256(SHA-256(unsigned) || LE64(timestamp) || LE64(value)). */
export function ioidDigest(unsigned: Uint8Array, timestamp: bigint, value: bigint): Uint8Array {
  const input = new Uint8Array(48);
  input.set(sha256(unsigned));
  const view = new DataView(input.buffer);
  view.setBigUint64(32, timestamp, true);
  view.setBigUint64(40, value, true);
  return sha256(input);
}

/** UTF-8 JSON text that is an object, or a FormatError. */
export function jsonObject(bytes: Uint8Array): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new FormatError("not_json", "not UTF-8 JSON text");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new FormatError("not_json", "not a JSON object");
  return doc as Record<string, unknown>;
}
