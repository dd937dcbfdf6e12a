// @lcore/contracts: ABIs and bytecode of lcore's Solidity contracts.
export * from "./artifacts.generated.js";
