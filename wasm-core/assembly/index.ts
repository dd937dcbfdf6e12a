// The wasm-core module's exports. The TypeScript wrapper in src/ is the only caller;
// its memory contract is described in memory.ts.

export { ioBase } from "./memory";
export {
  SHA256_STATE_SIZE, sha256StatePtr, sha256Init, sha256Update, sha256Final, sha256,
  hmacSha256, hkdfSha256,
} from "./sha256";
export {
  KECCAK_STATE_SIZE, keccakStatePtr, keccakInit, keccakUpdate, keccakFinal, keccak256,
} from "./keccak";
export { aes256GcmSeal, aes256GcmOpen } from "./aes256gcm";
export { chacha20Poly1305Seal, chacha20Poly1305Open } from "./chacha20poly1305";
export { verifySubsetSum } from "./subset_sum";
export { keccak256Each } from "./keccak_each";
