// @lcore/gateway: the device-facing service that holds the secrets, seals readings,
// keeps a durable outbox and submits batches to the Cartesi InputBox exactly once.

export { buildApp, type GatewayApp, REDACTED_LOG_PATHS } from "./app.js";
export type { GatewayOptions, ChainOptions, BatcherOptions, FollowerOptions } from "./options.js";
export { loadConfig, limitVariable, ConfigError } from "./config.js";
export { ERRORS, GatewayError, type GatewayErrorCode, type ErrorBody } from "./http/errors.js";
export { DEFAULT_LIMITS, type GatewayLimits } from "./limits.js";
export {
  Secret,
  readSecretText,
  parseKey32,
  parsePrivateKey,
  parseOwnerToken,
  SecretConfigError,
} from "./util/secrets.js";
export { createSignatureVerifier, SECP256K1_N, type SignatureVerifier, type PreparedKey } from "./devices/signature.js";
export { Sealer } from "./readings/sealer.js";
export { Outbox, type OutboxOptions } from "./outbox/outbox.js";
export type { SealedReading, ReadingRow } from "./outbox/readingStore.js";
export { progressOf, receiptOf, type StatusName } from "./readings/status.js";
export { FAILPOINTS, type Failpoint } from "./chain/failpoints.js";
export { inputBoxAbi as INPUT_BOX_ABI } from "@lcore/contracts";
export { SimDevice, type SignedReading, type GatewayInfo } from "./sim/device.js";
export { simulate, type SimOptions, type SimSummary, type SentReading } from "./sim/run.js";
export { buildFleetApp, type FleetApp } from "./fleet/fleetApp.js";
export type { FleetOptions } from "./fleet/fleetOptions.js";
export { loadFleetConfig } from "./fleet/fleetConfig.js";
export { shardForNewDevice, MAX_SHARDS } from "./fleet/shardRule.js";
export { acceptedCount, type ShardStatus } from "./fleet/fleetStatus.js";
export { JsonRpcNodeReader } from "./chain/nodeReader.js";
