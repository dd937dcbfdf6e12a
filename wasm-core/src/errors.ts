// Errors thrown by @lcore/wasm-core. Each has a stable `code` that callers may match on.

export type WasmCoreErrorCode =
  | "LCORE_WASM_INVALID_INPUT"
  | "LCORE_WASM_INVALID_LENGTH"
  | "LCORE_WASM_AUTHENTICATION_FAILED";

export class WasmCoreError extends Error {
  override name = "WasmCoreError";
  readonly code: WasmCoreErrorCode;
  constructor(code: WasmCoreErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** An argument is not a Uint8Array, or a number is not an integer in range. */
export class InvalidInputError extends WasmCoreError {
  override name = "InvalidInputError";
  constructor(message: string) {
    super("LCORE_WASM_INVALID_INPUT", message);
  }
}

/** A key, nonce, output length or input size is outside what the primitive accepts. */
export class InvalidLengthError extends WasmCoreError {
  override name = "InvalidLengthError";
  constructor(what: string, expected: string, got: number) {
    super("LCORE_WASM_INVALID_LENGTH", `${what} must be ${expected}, got ${got}`);
  }
}

/** AEAD open: the tag did not verify. No plaintext is released. */
export class AuthenticationError extends WasmCoreError {
  override name = "AuthenticationError";
  constructor(cipher: string) {
    super("LCORE_WASM_AUTHENTICATION_FAILED", `${cipher}: authentication failed`);
  }
}
