// @lcore/contracts: ABIs and bytecode of lcore's Solidity contracts, and their deployment.
export * from "./artifacts.generated.js";
export {
  deployLcoreContracts, afterDeployLcore, LcoreDeploymentError, DETERMINISTIC_DEPLOYER, ANVIL_ACCOUNT_0, TEST_TOKEN_SUPPLY,
  type LcoreContracts, type LcoreDeployment, type LcoreDeployTarget, type DeployClients, type DeployLcoreOptions,
} from "./deploy.js";
