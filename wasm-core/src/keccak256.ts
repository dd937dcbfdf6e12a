// Keccak-256 as Ethereum uses it (original Keccak padding, not SHA3-256).

import { type HashCore, type Hasher, coreGlobal, createHasher, oneShot } from "./hasher.js";
import { core } from "./instance.js";

const keccakCore: HashCore = {
  name: "keccak256",
  stateSize: coreGlobal(core.KECCAK_STATE_SIZE),
  statePtr: core.keccakStatePtr(),
  init: core.keccakInit,
  update: core.keccakUpdate,
  final: core.keccakFinal,
};

/** Keccak-256 of `data`: 32 bytes. */
export function keccak256(data: Uint8Array): Uint8Array {
  return oneShot(keccakCore, data);
}

/** An incremental Keccak-256: `createKeccak256().update(a).update(b).digest()`. */
export function createKeccak256(): Hasher {
  return createHasher(keccakCore);
}
