// Argument checks shared by every primitive.

import { InvalidInputError, InvalidLengthError } from "./errors.js";

export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidInputError(`${name} must be a Uint8Array`);
  }
}

export function assertLength(value: Uint8Array, length: number, name: string): void {
  if (value.length !== length) throw new InvalidLengthError(name, `${length} bytes`, value.length);
}

/** Largest single input a one-shot AEAD call accepts (the whole message must sit in WASM memory). */
export const MAX_AEAD_INPUT = 64 * 1024 * 1024;

/** Hashes stream their input through the I/O region in chunks of this size, so memory stays small. */
export const HASH_CHUNK = 64 * 1024;
