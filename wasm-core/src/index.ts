// @lcore/wasm-core: the primitives the gateway and the dApp share byte for byte.

export { sha256, createSha256 } from "./sha256.js";
export { keccak256, createKeccak256 } from "./keccak256.js";
export { keccak256Each, KECCAK256_EACH_MAX_INPUT } from "./keccak256Each.js";
export type { Hasher } from "./hasher.js";
export { hmacSha256 } from "./hmacSha256.js";
export { hkdfSha256, HKDF_SHA256_MAX_LENGTH } from "./hkdfSha256.js";
export { aes256GcmSeal, aes256GcmOpen } from "./aes256Gcm.js";
export { chacha20Poly1305Seal, chacha20Poly1305Open } from "./chacha20Poly1305.js";
export { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH } from "./aead.js";
export { MAX_AEAD_INPUT } from "./bytes.js";
export {
  verifySubsetSum,
  SUBSET_SUM_MAX_ELEMENTS,
  type SubsetSumProblem,
  type SubsetSumReason,
  type SubsetSumResult,
} from "./subsetSum.js";
export {
  WasmCoreError,
  InvalidInputError,
  InvalidLengthError,
  AuthenticationError,
  type WasmCoreErrorCode,
} from "./errors.js";
export { wasmSha256 } from "./wasm.generated.js";
