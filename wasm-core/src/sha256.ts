// SHA-256 (FIPS 180-4).

import { type HashCore, type Hasher, coreGlobal, createHasher, oneShot } from "./hasher.js";
import { core } from "./instance.js";

const sha256Core: HashCore = {
  name: "sha256",
  stateSize: coreGlobal(core.SHA256_STATE_SIZE),
  statePtr: core.sha256StatePtr(),
  init: core.sha256Init,
  update: core.sha256Update,
  final: core.sha256Final,
};

/** SHA-256 of `data`: 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  return oneShot(sha256Core, data);
}

/** An incremental SHA-256: `createSha256().update(a).update(b).digest()`. */
export function createSha256(): Hasher {
  return createHasher(sha256Core);
}
