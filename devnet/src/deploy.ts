// Deploy the Cartesi Rollups v2.2.0 contracts at their canonical addresses, then an Authority
// and an Application for the devnet. Everything goes through CREATE2 with fixed salts, so a
// second run finds each contract where it belongs and deploys nothing.
//
// The canonical addresses come from the deterministic deployment proxy
// (0x4e59b448…, present in anvil from genesis) with salt 0 and the unlinked creation bytecode
// of the pinned artifacts; the portals and the self-hosted factory take constructor arguments
// that are themselves canonical addresses.

import {
  type Address,
  type Hex,
  concatHex,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  keccak256,
  stringToHex,
  zeroHash,
} from "viem";
import {
  applicationAbi,
  applicationFactoryAbi,
  authorityAbi,
  authorityFactoryAbi,
  dataAvailabilityAbi,
} from "./abis.js";
import { loadArtifact } from "./artifacts.js";
import { type ChainClients, sendAndWait, writeAndWait } from "./chainClient.js";
import { DeploymentError, InvalidArgumentError } from "./errors.js";

export const DETERMINISTIC_DEPLOYER: Address = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
export const CANONICAL_SALT: Hex = zeroHash;

/** DESIGN §6: where v2.2.0 lives on every chain. A mismatch means the artifacts changed. */
export const CANONICAL_ADDRESSES = {
  InputBox: "0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac",
  AuthorityFactory: "0x5E96408CFE423b01dADeD3bc867E6013135990cc",
  ApplicationFactory: "0x26E758238CB6eC5aB70ce0dd52aF2d7b82e1972E",
  EtherPortal: "0xA632c5c05812c6a6149B7af5C56117d1D2603828",
  ERC20Portal: "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D",
} as const satisfies Record<string, Address>;

/**
 * Template hash of the devnet's host-mode application. The real node would compare it with the
 * Cartesi machine's root hash; a host-mode dApp has no machine, so any constant does. This one
 * is keccak256("lcore-devnet host-mode application").
 */
export const HOST_MODE_TEMPLATE_HASH: Hex = keccak256(stringToHex("lcore-devnet host-mode application"));

export type ContractName =
  | "InputBox"
  | "EtherPortal"
  | "ERC20Portal"
  | "ERC721Portal"
  | "ERC1155SinglePortal"
  | "ERC1155BatchPortal"
  | "AuthorityFactory"
  | "QuorumFactory"
  | "ApplicationFactory"
  | "SelfHostedApplicationFactory";

/** Everything the other components need to find the rollup; written as deployment.json. */
export interface Deployment {
  chainId: number;
  contracts: Record<ContractName, Address>;
  application: Address;
  authority: Address;
  /** Owner of the authority and the application; the key that submits claims. */
  owner: Address;
  epochLength: number;
  /** Block in which the Application was deployed; the node reads inputs from there. */
  deploymentBlock: number;
  templateHash: Hex;
  dataAvailability: Hex;
  salt: Hex;
}

export interface DeployOptions {
  epochLength: number;
  templateHash?: Hex;
  /** Salt of the Authority and Application (default 0): change it for a second application on one chain. */
  salt?: Hex;
  log?: (message: string) => void;
}

export async function deployRollups(clients: ChainClients, opts: DeployOptions): Promise<Deployment> {
  const { epochLength } = opts;
  if (!Number.isSafeInteger(epochLength) || epochLength < 1)
    throw new InvalidArgumentError(`epochLength must be a positive integer, got ${epochLength}`);
  const templateHash = opts.templateHash ?? HOST_MODE_TEMPLATE_HASH;
  const salt = opts.salt ?? CANONICAL_SALT;
  const log = opts.log ?? (() => {});
  const owner = clients.account.address;

  await requireDeterministicDeployer(clients);
  const contracts = await deployCanonicalContracts(clients, log);
  const authority = await deployAuthority(clients, contracts.AuthorityFactory, { owner, epochLength, salt }, log);
  const dataAvailability = encodeFunctionData({
    abi: dataAvailabilityAbi,
    functionName: "InputBox",
    args: [contracts.InputBox],
  });
  const { application, deploymentBlock } = await deployApplication(
    clients,
    contracts.ApplicationFactory,
    { authority, owner, templateHash, dataAvailability, salt },
    log,
  );

  return {
    chainId: clients.chain.id,
    contracts,
    application,
    authority,
    owner,
    epochLength,
    deploymentBlock: Number(deploymentBlock),
    templateHash,
    dataAvailability,
    salt,
  };
}

async function requireDeterministicDeployer(clients: ChainClients): Promise<void> {
  if (!(await hasCode(clients, DETERMINISTIC_DEPLOYER))) {
    throw new DeploymentError(
      `the deterministic deployment proxy ${DETERMINISTIC_DEPLOYER} is not on this chain; deploy it first (anvil has it from genesis)`,
    );
  }
}

/**
 * The v2.2.0 contracts at their canonical addresses, in dependency order: the portals and the
 * self-hosted factory take earlier ones as constructor arguments.
 */
async function deployCanonicalContracts(
  clients: ChainClients,
  log: (message: string) => void,
): Promise<Record<ContractName, Address>> {
  const contracts = {} as Record<ContractName, Address>;
  const canonical = async (name: ContractName, args: readonly unknown[] = []) => {
    const address = await deployCanonical(clients, name, args, log);
    contracts[name] = address;
    return address;
  };

  const inputBox = await canonical("InputBox");
  for (const portal of [
    "EtherPortal",
    "ERC20Portal",
    "ERC721Portal",
    "ERC1155SinglePortal",
    "ERC1155BatchPortal",
  ] as const) {
    await canonical(portal, [inputBox]);
  }
  const authorityFactory = await canonical("AuthorityFactory");
  await canonical("QuorumFactory");
  const applicationFactory = await canonical("ApplicationFactory");
  await canonical("SelfHostedApplicationFactory", [authorityFactory, applicationFactory]);
  return contracts;
}

/** Deploy one contract through the deterministic deployment proxy with salt 0, unless it is already there. */
async function deployCanonical(
  clients: ChainClients,
  name: ContractName,
  args: readonly unknown[],
  log: (message: string) => void,
): Promise<Address> {
  const artifact = loadArtifact(name);
  const initCode =
    args.length === 0 ? artifact.bytecode : encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args });
  const address = getContractAddress({
    opcode: "CREATE2",
    from: DETERMINISTIC_DEPLOYER,
    salt: CANONICAL_SALT,
    bytecode: initCode,
  });
  const expected = (CANONICAL_ADDRESSES as Record<string, Address>)[name];
  if (expected && address.toLowerCase() !== expected.toLowerCase()) {
    throw new DeploymentError(
      `${name} would deploy at ${address}, not at its canonical address ${expected}: the artifact's bytecode differs from v2.2.0's`,
    );
  }
  if (!(await hasCode(clients, address))) {
    log(`deploying ${name} at ${address}`);
    await sendAndWait(
      clients,
      { to: DETERMINISTIC_DEPLOYER, data: concatHex([CANONICAL_SALT, initCode]) },
      `deploying ${name}`,
    );
    if (!(await hasCode(clients, address)))
      throw new DeploymentError(`${name} is not at ${address} after its deployment`);
  }
  return address;
}

interface AuthorityParams {
  owner: Address;
  epochLength: number;
  salt: Hex;
}

/** The owner's Authority for this epoch length and salt, deployed unless it is already there, then checked. */
async function deployAuthority(
  clients: ChainClients,
  authorityFactory: Address,
  { owner, epochLength, salt }: AuthorityParams,
  log: (message: string) => void,
): Promise<Address> {
  const authority = await clients.public.readContract({
    address: authorityFactory,
    abi: authorityFactoryAbi,
    functionName: "calculateAuthorityAddress",
    args: [owner, BigInt(epochLength), salt],
  });
  if (!(await hasCode(clients, authority))) {
    log(`deploying the Authority at ${authority} (owner ${owner}, epoch length ${epochLength})`);
    await writeAndWait(
      clients,
      {
        address: authorityFactory,
        abi: authorityFactoryAbi,
        functionName: "newAuthority",
        args: [owner, BigInt(epochLength), salt],
      },
      "deploying the Authority",
    );
  }
  await checkAuthority(clients, authority, owner, epochLength);
  return authority;
}

/** Check that the Authority has the epoch length and owner asked for. */
async function checkAuthority(
  clients: ChainClients,
  authority: Address,
  owner: Address,
  epochLength: number,
): Promise<void> {
  const [authorityEpochLength, authorityOwner] = await Promise.all([
    clients.public.readContract({ address: authority, abi: authorityAbi, functionName: "getEpochLength" }),
    clients.public.readContract({ address: authority, abi: authorityAbi, functionName: "owner" }),
  ]);
  if (authorityEpochLength !== BigInt(epochLength) || authorityOwner.toLowerCase() !== owner.toLowerCase()) {
    throw new DeploymentError(
      `the Authority at ${authority} has epoch length ${authorityEpochLength} and owner ${authorityOwner}, expected ${epochLength} and ${owner}`,
    );
  }
}

interface ApplicationParams {
  authority: Address;
  owner: Address;
  templateHash: Hex;
  dataAvailability: Hex;
  salt: Hex;
}

/**
 * The Application validated by the Authority, deployed unless it is already there, then checked;
 * with its deployment block.
 */
async function deployApplication(
  clients: ChainClients,
  applicationFactory: Address,
  { authority, owner, templateHash, dataAvailability, salt }: ApplicationParams,
  log: (message: string) => void,
): Promise<{ application: Address; deploymentBlock: bigint }> {
  const application = await clients.public.readContract({
    address: applicationFactory,
    abi: applicationFactoryAbi,
    functionName: "calculateApplicationAddress",
    args: [authority, owner, templateHash, dataAvailability, salt],
  });
  if (!(await hasCode(clients, application))) {
    log(`deploying the Application at ${application}`);
    await writeAndWait(
      clients,
      {
        address: applicationFactory,
        abi: applicationFactoryAbi,
        functionName: "newApplication",
        args: [authority, owner, templateHash, dataAvailability, salt],
      },
      "deploying the Application",
    );
  }
  const deploymentBlock = await checkApplication(clients, application, authority);
  return { application, deploymentBlock };
}

/** Check that the Authority validates the Application's outputs; returns the Application's deployment block. */
async function checkApplication(clients: ChainClients, application: Address, authority: Address): Promise<bigint> {
  const [deploymentBlock, validator] = await Promise.all([
    clients.public.readContract({
      address: application,
      abi: applicationAbi,
      functionName: "getDeploymentBlockNumber",
    }),
    clients.public.readContract({
      address: application,
      abi: applicationAbi,
      functionName: "getOutputsMerkleRootValidator",
    }),
  ]);
  if (validator.toLowerCase() !== authority.toLowerCase()) {
    throw new DeploymentError(
      `the Application at ${application} is validated by ${validator}, not by the Authority ${authority}`,
    );
  }
  return deploymentBlock;
}

async function hasCode(clients: ChainClients, address: Address): Promise<boolean> {
  const code = await clients.public.getCode({ address });
  return code !== undefined && code !== "0x";
}
