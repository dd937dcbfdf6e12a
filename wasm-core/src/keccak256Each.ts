// Keccak-256 of many equal-length inputs in one call (assembly/keccak_each.ts): what a
// Merkle tree level costs when its nodes are hashed one keccak256 call at a time is
// mostly the per-call copy and allocation, not the permutation.

import { InvalidInputError, InvalidLengthError } from "./errors.js";
import { assertBytes } from "./bytes.js";
import { IO, core, ioView } from "./instance.js";

/** Largest input a keccak256Each call takes: the inputs and their digests sit in WASM memory together. */
export const KECCAK256_EACH_MAX_INPUT = 64 * 1024 * 1024;

/**
 * `inputs` is n inputs of `length` bytes each, back to back (n = inputs.length / length);
 * returns their n Keccak-256 digests back to back (32·n bytes), digest i of input i.
 */
export function keccak256Each(inputs: Uint8Array, length: number): Uint8Array {
  assertBytes(inputs, "inputs");
  if (!Number.isSafeInteger(length) || length < 1) throw new InvalidInputError("length must be a positive integer");
  if (inputs.length % length !== 0)
    throw new InvalidLengthError("inputs", `a multiple of ${length} bytes`, inputs.length);
  if (inputs.length > KECCAK256_EACH_MAX_INPUT)
    throw new InvalidLengthError("inputs", `at most ${KECCAK256_EACH_MAX_INPUT} bytes`, inputs.length);
  const n = inputs.length / length;
  // Inputs at IO, digests after them (not in place: length may be under 32).
  const out = IO + ((inputs.length + 15) & ~15);
  const heap = ioView(out - IO + 32 * n);
  heap.set(inputs, IO);
  core.keccak256Each(IO, length, n, out);
  return heap.slice(out, out + 32 * n);
}
