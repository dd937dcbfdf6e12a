// Deploy lcore's own contracts next to the rollup: LcoreSettlement (written only by the
// Application's vouchers), the MVP-equivalent benchmark anchor and, on a development chain,
// a test ERC-20. Like the rollup contracts they go through the CREATE2 proxy (LcoreSettlement
// with salt 0, the others with the deployment's salt), so a second run finds them and deploys nothing.

import { type Abi, type Address, type Hex, concatHex, encodeDeployData, getContractAddress } from "viem";
import {
  lcoreSettlementAbi, lcoreSettlementBytecode, mVPIoTProcessorAbi, mVPIoTProcessorBytecode, testTokenAbi, testTokenBytecode,
} from "@lcore/contracts";
import { type ChainClients, sendAndWait } from "./chainClient.js";
import { DETERMINISTIC_DEPLOYER, type Deployment } from "./deploy.js";
import { DeploymentError } from "./errors.js";

export interface LcoreContracts {
  settlement: Address;
  mvpIoTProcessor: Address;
  /** Only on development chains (see `testTokenHolder`). */
  testToken?: Address;
}

export interface DeployLcoreOptions {
  /** Deploy the test ERC-20 with its whole supply (TEST_TOKEN_SUPPLY) held by this address. */
  testTokenHolder?: Address;
  log?: (message: string) => void;
}

const SETTLEMENT_SALT: Hex = `0x${"00".repeat(32)}`;

/** 10^9 tokens of 18 decimals. */
export const TEST_TOKEN_SUPPLY = 10n ** 27n;

export async function deployLcoreContracts(clients: ChainClients, rollups: Deployment, opts: DeployLcoreOptions = {}): Promise<LcoreContracts> {
  const log = opts.log ?? (() => {});
  const create2 = async (name: string, abi: Abi, bytecode: Hex, args: readonly unknown[], salt: Hex = rollups.salt): Promise<Address> => {
    const initCode = encodeDeployData({ abi, bytecode, args } as Parameters<typeof encodeDeployData>[0]);
    const address = getContractAddress({ opcode: "CREATE2", from: DETERMINISTIC_DEPLOYER, salt, bytecode: initCode });
    const code = await clients.public.getCode({ address });
    if (code === undefined || code === "0x") {
      log(`deploying ${name} at ${address}`);
      await sendAndWait(clients, { to: DETERMINISTIC_DEPLOYER, data: concatHex([salt, initCode]) }, `deploying ${name}`);
      const deployed = await clients.public.getCode({ address });
      if (deployed === undefined || deployed === "0x") throw new DeploymentError(`${name} is not at ${address} after its deployment`);
    }
    return address;
  };

  const contracts: LcoreContracts = {
    // Salt 0 whatever the deployment's salt: the dApp derives this address from its own
    // (PROTOCOL §9), and the Application's address in the init code keeps it unique.
    settlement: await create2("LcoreSettlement", lcoreSettlementAbi, lcoreSettlementBytecode, [rollups.application], SETTLEMENT_SALT),
    mvpIoTProcessor: await create2("MVPIoTProcessor", mVPIoTProcessorAbi, mVPIoTProcessorBytecode, []),
  };
  if (opts.testTokenHolder) {
    contracts.testToken = await create2("TestToken", testTokenAbi, testTokenBytecode, [opts.testTokenHolder, TEST_TOKEN_SUPPLY]);
  }
  return contracts;
}
