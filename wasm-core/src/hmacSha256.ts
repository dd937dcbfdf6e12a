// HMAC-SHA256 (RFC 2104, FIPS 198-1).

import { assertBytes } from "./bytes.js";
import { IO, align16, core, ioView } from "./instance.js";

/** HMAC-SHA256 of `data` under `key` (any length; keys over 64 bytes are hashed first). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, "key");
  assertBytes(data, "data");
  const dataAt = IO + align16(key.length);
  const outAt = dataAt + align16(data.length);
  const heap = ioView(outAt + 32 - IO);
  heap.set(key, IO);
  heap.set(data, dataAt);
  core.hmacSha256(IO, key.length, dataAt, data.length, outAt);
  const out = heap.slice(outAt, outAt + 32);
  heap.fill(0, IO, IO + key.length);
  return out;
}
