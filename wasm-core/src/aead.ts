// The seal/open calling convention shared by AES-256-GCM and ChaCha20-Poly1305.
//
// I/O layout: key (32) | nonce (12, padded to 16) | aad | message or sealed text.
// The module writes its output in place over the message. Open verifies the tag
// before it decrypts and writes nothing when the tag is wrong, so no plaintext of a
// forged message ever reaches memory the wrapper reads.

import { MAX_AEAD_INPUT, assertBytes, assertLength } from "./bytes.js";
import { AuthenticationError, InvalidLengthError } from "./errors.js";
import { IO, align16, ioView } from "./instance.js";

export const AEAD_KEY_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

type SealFn = (
  key: number,
  nonce: number,
  aad: number,
  aadLen: number,
  msg: number,
  msgLen: number,
  out: number,
) => void;
type OpenFn = (
  key: number,
  nonce: number,
  aad: number,
  aadLen: number,
  sealed: number,
  sealedLen: number,
  out: number,
) => number;

const KEY_AT = IO;
const NONCE_AT = IO + 32;
const AAD_AT = IO + 48;

function load(cipher: string, key: Uint8Array, nonce: Uint8Array, text: Uint8Array, aad: Uint8Array, room: number) {
  assertBytes(key, "key");
  assertBytes(nonce, "nonce");
  assertBytes(text, "input");
  assertBytes(aad, "aad");
  assertLength(key, AEAD_KEY_LENGTH, `${cipher} key`);
  assertLength(nonce, AEAD_NONCE_LENGTH, `${cipher} nonce`);
  if (text.length + aad.length > MAX_AEAD_INPUT) {
    throw new InvalidLengthError(
      `${cipher} input plus aad`,
      `at most ${MAX_AEAD_INPUT} bytes`,
      text.length + aad.length,
    );
  }
  const textAt = AAD_AT + align16(aad.length);
  const heap = ioView(textAt + room - IO);
  heap.set(key, KEY_AT);
  heap.set(nonce, NONCE_AT);
  heap.set(aad, AAD_AT);
  heap.set(text, textAt);
  return { heap, textAt };
}

/** Zero the key and everything the call wrote, so no secret outlives the call in WASM memory. */
function wipe(heap: Uint8Array, end: number): void {
  heap.fill(0, IO, end);
}

export function aeadSeal(
  cipher: string,
  seal: SealFn,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const sealedLength = plaintext.length + AEAD_TAG_LENGTH;
  const { heap, textAt } = load(cipher, key, nonce, plaintext, aad, sealedLength);
  seal(KEY_AT, NONCE_AT, AAD_AT, aad.length, textAt, plaintext.length, textAt);
  const sealed = heap.slice(textAt, textAt + sealedLength);
  wipe(heap, textAt + sealedLength);
  return sealed;
}

export function aeadOpen(
  cipher: string,
  open: OpenFn,
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  assertBytes(sealed, "sealed");
  if (sealed.length < AEAD_TAG_LENGTH) {
    throw new InvalidLengthError(`${cipher} sealed input`, `at least ${AEAD_TAG_LENGTH} bytes`, sealed.length);
  }
  const { heap, textAt } = load(cipher, key, nonce, sealed, aad, sealed.length);
  const ok = open(KEY_AT, NONCE_AT, AAD_AT, aad.length, textAt, sealed.length, textAt);
  const plaintextLength = sealed.length - AEAD_TAG_LENGTH;
  const plaintext = ok === 1 ? heap.slice(textAt, textAt + plaintextLength) : null;
  wipe(heap, textAt + sealed.length);
  if (plaintext === null) throw new AuthenticationError(cipher);
  return plaintext;
}
