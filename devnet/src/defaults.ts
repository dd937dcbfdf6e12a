// Defaults of the devnet, in a module of their own so the CLI can print its usage without
// loading the whole stack.

export const DEFAULT_EPOCH_LENGTH = 10;
export const DEFAULT_API_PORT = 8080;
/** The port dApps expect the rollup HTTP API on. */
export const DEFAULT_ROLLUP_HTTP_PORT = 5004;
export const DEFAULT_ANVIL_PORT = 8545;
export const DEFAULT_STATE_DIR = ".lcore/devnet";

/** The blocks the node reads from: the real node's CARTESI_BLOCKCHAIN_DEFAULT_BLOCK, less `pending`. */
export type BlockConfidence = "latest" | "safe" | "finalized";
export const BLOCK_CONFIDENCES: readonly BlockConfidence[] = ["latest", "safe", "finalized"];
/** As the real node's default. */
export const DEFAULT_BLOCK_CONFIDENCE: BlockConfidence = "finalized";
