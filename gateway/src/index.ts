// @lcore/gateway: the device-facing service that holds the secrets, seals readings,
// keeps a durable outbox and submits batches to the Cartesi InputBox exactly once.

export { ERRORS, GatewayError, type GatewayErrorCode, type ErrorBody } from "./errors.js";
export { DEFAULT_LIMITS, type GatewayLimits } from "./limits.js";
export { Secret, readSecretText, parseKey32, parseOwnerToken, SecretConfigError } from "./secrets.js";
export { createSignatureVerifier, type SignatureVerifier, type PreparedKey } from "./signature.js";
export { Outbox, type OutboxOptions } from "./outbox/outbox.js";
export type { SealedReading, ReadingRow } from "./outbox/readingStore.js";
