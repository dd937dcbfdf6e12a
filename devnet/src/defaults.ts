// Defaults of the devnet, in a module of their own so the CLI can print its usage without
// loading the whole stack.

export const DEFAULT_EPOCH_LENGTH = 10;
export const DEFAULT_API_PORT = 8080;
/** The port dApps expect the rollup HTTP API on. */
export const DEFAULT_ROLLUP_HTTP_PORT = 5004;
export const DEFAULT_ANVIL_PORT = 8545;
export const DEFAULT_STATE_DIR = ".lcore/devnet";
