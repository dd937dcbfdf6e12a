// Errors thrown by @lcore/devnet. Each has a stable `code` that callers may match on.

export type DevnetErrorCode =
  | "LCORE_DEVNET_INVALID_ARGUMENT"
  | "LCORE_DEVNET_ROLLUP_SERVER_CLOSED"
  | "LCORE_DEVNET_DAPP_EXITED"
  | "LCORE_DEVNET_CHAIN"
  | "LCORE_DEVNET_DEPLOYMENT"
  | "LCORE_DEVNET_STATE_MISMATCH"
  | "LCORE_DEVNET_DIVERGENCE"
  | "LCORE_DEVNET_INPUT";

export class DevnetError extends Error {
  override name = "DevnetError";
  readonly code: DevnetErrorCode;
  constructor(code: DevnetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A caller passed an option or argument outside what the function accepts. */
export class InvalidArgumentError extends DevnetError {
  override name = "InvalidArgumentError";
  constructor(message: string) {
    super("LCORE_DEVNET_INVALID_ARGUMENT", message);
  }
}

/** The rollup HTTP server was closed while a request was queued or in progress. */
export class RollupServerClosedError extends DevnetError {
  override name = "RollupServerClosedError";
  constructor() {
    super("LCORE_DEVNET_ROLLUP_SERVER_CLOSED", "rollup HTTP server closed before the dApp finished the request");
  }
}

/** The dApp process exited while the node still needed it. */
export class DappExitedError extends DevnetError {
  override name = "DappExitedError";
  constructor(code: number | null) {
    super("LCORE_DEVNET_DAPP_EXITED", `dApp process exited (code ${code === null ? "null (signal)" : code})`);
  }
}

/** The base chain answered something the devnet cannot work with (missing deployer, wrong chain, failed tx). */
export class ChainError extends DevnetError {
  override name = "ChainError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("LCORE_DEVNET_CHAIN", message, options);
  }
}

/** A contract is not where it must be, or deploys to a different address than the canonical one. */
export class DeploymentError extends DevnetError {
  override name = "DeploymentError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("LCORE_DEVNET_DEPLOYMENT", message, options);
  }
}

/** The state directory belongs to another chain or application, or is ahead of the chain. */
export class StateMismatchError extends DevnetError {
  override name = "StateMismatchError";
  constructor(message: string) {
    super("LCORE_DEVNET_STATE_MISMATCH", message);
  }
}

/** Replaying the stored inputs produced different outputs (or status) than the ones recorded. */
export class DivergenceError extends DevnetError {
  override name = "DivergenceError";
  readonly inputIndex: number;
  constructor(inputIndex: number, detail: string) {
    super("LCORE_DEVNET_DIVERGENCE", `replay diverged at input ${inputIndex}: ${detail}`);
    this.inputIndex = inputIndex;
  }
}

/** An InputAdded event does not decode as an EvmAdvance for this application, or arrives out of order. */
export class InputError extends DevnetError {
  override name = "InputError";
  constructor(message: string) {
    super("LCORE_DEVNET_INPUT", message);
  }
}
