// Deploy lcore's own contracts next to a Cartesi Rollups v2 application: LcoreSettlement
// (written only by the Application's vouchers), the MVP-equivalent benchmark anchor and, on a
// development chain, a test ERC-20. Like the rollup's contracts they go through the
// deterministic deployment proxy (CREATE2; LcoreSettlement with salt 0, the others with the
// application's salt), so a second run finds them and deploys nothing.
//
// `afterDeployLcore` is the same, shaped as @lcore/devnet's `afterDeploy` hook: the devnet
// writes what it returns into deployment.json, under `lcore`.

import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
  concatHex,
  encodeDeployData,
  getContractAddress,
} from "viem";
import {
  lcoreSettlementAbi,
  lcoreSettlementBytecode,
  mVPIoTProcessorAbi,
  mVPIoTProcessorBytecode,
  testTokenAbi,
  testTokenBytecode,
} from "./artifacts.generated.js";
import { type LcoreFleetContracts, deployFleet } from "./fleet.js";

/** The deterministic deployment proxy (present in anvil from genesis, and on most EVM chains). */
export const DETERMINISTIC_DEPLOYER: Address = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
/** anvil's account 0, from its well-known development mnemonic: it holds the test token's supply. */
export const ANVIL_ACCOUNT_0: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/** 10^9 tokens of 18 decimals. */
export const TEST_TOKEN_SUPPLY = 10n ** 27n;

const SETTLEMENT_SALT: Hex = `0x${"00".repeat(32)}`;

/** Where lcore's contracts are, as deployment.json holds them under `lcore`. */
export interface LcoreContracts {
  settlement: Address;
  mvpIoTProcessor: Address;
  /** Only on development chains (see `testTokenHolder`). */
  testToken?: Address;
  /** With several applications (a fleet): every shard's settlement and the registry (fleet.ts). */
  fleet?: LcoreFleetContracts;
}

/** What @lcore/devnet's afterDeploy hook adds to its deployment. */
export interface LcoreDeployment {
  lcore: LcoreContracts;
}

export interface DeployClients {
  public: PublicClient<Transport, Chain>;
  /** Its account pays for the deployments. */
  wallet: WalletClient<Transport, Chain, Account>;
}

export interface LcoreDeployTarget {
  /** The Application whose vouchers alone may write LcoreSettlement. */
  application: Address;
  /** CREATE2 salt of the anchor and the test token (the application's deployment salt). */
  salt: Hex;
  /** The CREATE2 proxy; default DETERMINISTIC_DEPLOYER. */
  deployer?: Address;
}

export interface DeployLcoreOptions {
  /** Deploy the test ERC-20 with its whole supply (TEST_TOKEN_SUPPLY) held by this address. */
  testTokenHolder?: Address;
  log?: (message: string) => void;
}

/** A deployment that did not land where CREATE2 says it must, or a transaction that failed. */
export class LcoreDeploymentError extends Error {
  override name = "LcoreDeploymentError";
}

export async function deployLcoreContracts(
  clients: DeployClients,
  target: LcoreDeployTarget,
  opts: DeployLcoreOptions = {},
): Promise<LcoreContracts> {
  const create2 = (name: string, abi: Abi, bytecode: Hex, args: readonly unknown[], salt: Hex = target.salt) =>
    deployOnce(
      clients,
      { name, abi, bytecode, args, salt, deployer: target.deployer ?? DETERMINISTIC_DEPLOYER },
      opts.log ?? (() => {}),
    );
  const contracts: LcoreContracts = {
    // Salt 0 whatever the application's salt: the dApp derives this address from its own
    // (PROTOCOL §9), and the Application's address in the init code keeps it unique.
    settlement: await create2(
      "LcoreSettlement",
      lcoreSettlementAbi,
      lcoreSettlementBytecode,
      [target.application],
      SETTLEMENT_SALT,
    ),
    mvpIoTProcessor: await create2("MVPIoTProcessor", mVPIoTProcessorAbi, mVPIoTProcessorBytecode, []),
  };
  if (opts.testTokenHolder) {
    contracts.testToken = await create2("TestToken", testTokenAbi, testTokenBytecode, [
      opts.testTokenHolder,
      TEST_TOKEN_SUPPLY,
    ]);
  }
  return contracts;
}

/**
 * @lcore/devnet's `afterDeploy` hook: lcore's contracts for the devnet's application, returned
 * under `lcore`; the test token only on the devnet's own anvil, held by its account 0.
 */
export async function afterDeployLcore(ctx: {
  clients: DeployClients;
  deployment: { application: Address; salt: Hex };
  log: (message: string) => void;
  ownAnvil: boolean;
  /** Every application of the devnet; with more than one, a fleet (fleet.ts) is deployed over them. */
  applications?: readonly { application: Address }[];
}): Promise<LcoreDeployment> {
  const opts: DeployLcoreOptions = { log: ctx.log, ...(ctx.ownAnvil ? { testTokenHolder: ANVIL_ACCOUNT_0 } : {}) };
  const lcore = await deployLcoreContracts(ctx.clients, ctx.deployment, opts);
  const applications = ctx.applications ?? [];
  if (applications.length > 1)
    lcore.fleet = await deployFleet(
      ctx.clients,
      applications.map((a) => a.application),
      { log: ctx.log },
    );
  return { lcore };
}

export interface Create2 {
  name: string;
  abi: Abi;
  bytecode: Hex;
  args: readonly unknown[];
  salt: Hex;
  deployer: Address;
}

/** The contract's CREATE2 address, deployed through the proxy unless code is already there. */
export async function deployOnce(clients: DeployClients, c: Create2, log: (message: string) => void): Promise<Address> {
  const initCode = encodeDeployData({ abi: c.abi, bytecode: c.bytecode, args: c.args } as Parameters<
    typeof encodeDeployData
  >[0]);
  const address = getContractAddress({ opcode: "CREATE2", from: c.deployer, salt: c.salt, bytecode: initCode });
  if (await hasCode(clients, address)) return address;
  log(`deploying ${c.name} at ${address}`);
  let hash: Hex;
  try {
    hash = await clients.wallet.sendTransaction({
      to: c.deployer,
      data: concatHex([c.salt, initCode]),
      value: 0n,
      account: clients.wallet.account,
      chain: clients.wallet.chain,
    });
  } catch (cause) {
    throw new LcoreDeploymentError(
      `deploying ${c.name}: transaction not accepted: ${(cause as Error).message.split("\n")[0]}`,
      { cause },
    );
  }
  const receipt = await clients.public.waitForTransactionReceipt({ hash, timeout: 120_000 });
  if (receipt.status !== "success") throw new LcoreDeploymentError(`deploying ${c.name}: transaction ${hash} reverted`);
  if (!(await hasCode(clients, address)))
    throw new LcoreDeploymentError(`${c.name} is not at ${address} after its deployment`);
  return address;
}

async function hasCode(clients: DeployClients, address: Address): Promise<boolean> {
  const code = await clients.public.getCode({ address });
  return code !== undefined && code !== "0x";
}
