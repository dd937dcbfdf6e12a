// @lcore/dapp: the Cartesi back-end. The process entry is main.ts; this module exposes
// the state machine for tests, the benchmark and tools. The codec is `@lcore/protocol`.

export { Dapp, type DappOptions } from "./app/dapp.js";
export type { Output, AdvanceOutcome, InspectOutcome, RollupHandler } from "./rollup/handler.js";
export { ETHER_PORTAL, ERC20_PORTAL } from "./deposits/portals.js";
export { Store, type StateRow } from "./state/store.js";
export type { DeviceRow } from "./devices/store.js";
export type { RecordRow } from "./records/store.js";
export { openDatabase, loadSqlJs, sqlWasmPath } from "./state/sqlite.js";
export { stateHash, EMPTY_FOLD } from "./state/stateHash.js";
export { foldDevice, deviceRowBytes } from "./devices/fold.js";
export { foldRecord, recomputeState } from "./records/fold.js";
export { pruneState, prunedCount, type PruneState } from "./settlement/prune.js";
export { deviceDayCount } from "./records/deviceDays.js";
export { drainPruneBacklog, prunePendingRecords } from "./settlement/pruneSteps.js";
export { packedPeriodDeviceSummaries } from "./settlement/periodDevices.js";
export { recomputeSubmittersHash } from "./submitters/store.js";
export { recomputeWalletHash } from "./wallet/store.js";
export {
  isValidPublicKey,
  verifyDigest,
  verifyDigestWasm,
  nativeSecp256k1,
  recoverSigner,
  isLowS,
  sec1PublicKey,
} from "./crypto/secp256k1.js";
export { RollupClient, RollupHttpError, payloadBytes, hexPayload } from "./rollup/client.js";
export { runRollupLoop, postOutputs, type LoopOptions } from "./rollup/loop.js";
// The rollup HTTP API types are defined once, beside devnet's server (type-only: nothing of devnet is bundled).
export type * from "@lcore/devnet/rollup-http-api";
export { createClockProbe, type Probe, type Phase, PHASES } from "./context/probe.js";
