// @lcore/contracts: ABIs and bytecode of lcore's Solidity contracts and their deployment, and
// the ABIs of the Cartesi Rollups contracts lcore calls (inputBoxAbi, applicationAbi, ...),
// from the pinned @cartesi/rollups artifacts.
export * from "./artifacts.generated.js";
export * from "./cartesi.generated.js";
export {
  deployLcoreContracts,
  afterDeployLcore,
  LcoreDeploymentError,
  DETERMINISTIC_DEPLOYER,
  ANVIL_ACCOUNT_0,
  TEST_TOKEN_SUPPLY,
  type LcoreContracts,
  type LcoreDeployment,
  type LcoreDeployTarget,
  type DeployClients,
  type DeployLcoreOptions,
} from "./deploy.js";
export { deployFleet, type FleetShard, type LcoreFleetContracts } from "./fleet.js";
