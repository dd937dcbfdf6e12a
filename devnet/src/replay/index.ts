// @lcore/devnet/replay: the validator's library without the node's servers. Replay an
// application's inputs from the chain through a fresh dApp (on the host, or on riscv64 Node),
// recompute its outputs and the outputs Merkle root, compare with the claims, a node and a
// shadow build, and plug in the dApp's own checks.

export { replay, type ReplayOptions, type ReplayReport } from "./replay.js";
export type { AcceptedClaim, ChainHistory, ChainInput } from "./chainHistory.js";
export type { ReplayChecks, ReplayCheckResult, ReplayedDapp, ReplayedInput } from "./checks.js";
export { formatDivergence, type Divergence } from "./divergence.js";
export { parseCommand } from "./dappRunner.js";
export { formatProgress, formatDuration, Progress, type ProgressState } from "./progress.js";
export { commandOnMachine, parseMachine, MACHINES, type Machine } from "../riscv64/machine.js";
export { decodeOutput, type DecodedOutput } from "../outputs.js";
export type { AdvanceResult, InspectResult } from "../rollupHttpServer.js";
export type { Hex } from "../hex.js";
