// @lcore/contracts: ABIs and bytecode of lcore's Solidity contracts, and the ABIs of the
// Cartesi Rollups contracts lcore calls (inputBoxAbi, applicationAbi, ...), from the pinned
// @cartesi/rollups artifacts.
export * from "./artifacts.generated.js";
export * from "./cartesi.generated.js";
