// HKDF-SHA256 (RFC 5869).

import { assertBytes } from "./bytes.js";
import { InvalidInputError, InvalidLengthError } from "./errors.js";
import { IO, align16, core, ioView } from "./instance.js";

/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;

/** HKDF-SHA256: extract with `salt` (empty means HashLen zero bytes), expand with `info` to `length` bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertBytes(ikm, "ikm");
  assertBytes(salt, "salt");
  assertBytes(info, "info");
  if (!Number.isSafeInteger(length)) throw new InvalidInputError("length must be an integer");
  if (length < 0 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new InvalidLengthError("length", `0..${HKDF_SHA256_MAX_LENGTH}`, length);
  }
  const saltAt = IO + align16(ikm.length);
  const infoAt = saltAt + align16(salt.length);
  const outAt = infoAt + align16(info.length);
  const heap = ioView(outAt + length - IO);
  heap.set(ikm, IO);
  heap.set(salt, saltAt);
  heap.set(info, infoAt);
  core.hkdfSha256(IO, ikm.length, saltAt, salt.length, infoAt, info.length, outAt, length);
  const out = heap.slice(outAt, outAt + length);
  heap.fill(0, IO, outAt + length);
  return out;
}
