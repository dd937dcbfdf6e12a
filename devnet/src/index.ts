// @lcore/devnet: a local Cartesi Rollups v2 stack with no Docker.

export {
  startRollupHttpServer,
  MAX_REQUEST_BODY_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_REQUEST_ACCUMULATED_BYTES,
  MAX_REQUEST_ITEMS,
  MAX_QUEUED_REQUESTS,
  type AdvanceMetadata,
  type AdvanceResult,
  type InspectResult,
  type RollupHttpServer,
  type RollupHttpServerOptions,
} from "./rollupHttpServer.js";
export { spawnDapp, DAPP_STOP_GRACE_MS, type DappProcess, type SpawnDappOptions } from "./spawnDapp.js";
export {
  encodeNotice,
  encodeVoucher,
  encodeDelegateCallVoucher,
  decodeOutput,
  outputsAbi,
  NOTICE_SELECTOR,
  VOUCHER_SELECTOR,
  DELEGATE_CALL_VOUCHER_SELECTOR,
  type DecodedOutput,
} from "./outputs.js";
export type { Hex } from "./hex.js";
export type {
  RollupRequest,
  FinishStatus,
  NoticeBody,
  ReportBody,
  VoucherBody,
  DelegateCallVoucherBody,
  ExceptionBody,
  IndexResponse,
} from "./rollupHttpApi.js";
export {
  DevnetError,
  InvalidArgumentError,
  RollupServerClosedError,
  DappExitedError,
  ChainError,
  DeploymentError,
  StateMismatchError,
  DivergenceError,
  InputError,
  type DevnetErrorCode,
} from "./errors.js";
export {
  startDevnet,
  ANVIL_ACCOUNT_0,
  type DevnetDeployment,
  DEFAULT_EPOCH_LENGTH,
  DEFAULT_API_PORT,
  DEFAULT_ROLLUP_HTTP_PORT,
  DEFAULT_ANVIL_PORT,
  DEFAULT_BLOCK_CONFIDENCE,
  BLOCK_CONFIDENCES,
  type BlockConfidence,
  type Devnet,
  type DevnetOptions,
  type AfterDeploy,
  type AfterDeployContext,
  type DevnetApplication,
} from "./devnet.js";
export { MAX_APPLICATIONS, applicationSalt, applicationNameOf } from "./applications.js";
export {
  deployRollups,
  CANONICAL_ADDRESSES,
  DETERMINISTIC_DEPLOYER,
  HOST_MODE_TEMPLATE_HASH,
  type Deployment,
  type DeployOptions,
  type ContractName,
} from "./deploy.js";
export {
  startAnvil,
  anvilBinaryPath,
  DEFAULT_SLOTS_IN_AN_EPOCH,
  type Anvil,
  type AnvilOptions,
} from "./anvil.js";
export { OutputsMerkleTree, OUTPUTS_TREE_HEIGHT, outputLeaf, rootFromSiblings } from "./merkleTree.js";
export { applicationAbi, authorityAbi, inputBoxAbi, etherPortalAbi } from "./abis.js";
export { ANVIL_MNEMONIC, DEVNET_ACCOUNT_INDEX, type ChainClients } from "./chainClient.js";
export { NODE_VERSION } from "./apiContext.js";
export type { InspectResponse } from "./hostNode.js";
export {
  replay,
  type ReplayOptions,
  type ReplayReport,
  type ReplayChecks,
  type ReplayCheckResult,
  type ReplayedDapp,
  type ReplayedInput,
  formatDivergence,
  type Divergence,
  parseCommand,
  formatProgress,
  formatDuration,
  Progress,
  type ProgressState,
} from "./replay/index.js";
export {
  fetchRiscv64Runtime,
  riscv64NodeCommand,
  runtimeDir,
  cacheBase,
  resolveClosure,
  RuntimeFetchError,
  type Riscv64Runtime,
} from "./riscv64/runtime.js";
export { commandOnMachine, parseMachine, MACHINES, type Machine } from "./riscv64/machine.js";
export { fetchRiscv64Vm, riscv64VmCommand, type Riscv64Vm } from "./riscv64/vm.js";
