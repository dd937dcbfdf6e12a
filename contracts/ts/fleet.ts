// A fleet's contracts: one LcoreSettlement per shard's Application (the same CREATE2 rule as a
// single application's, so each shard's dApp finds its own: PROTOCOL §9) and the LcoreFleet
// registry listing the shards in order. Idempotent like the rest of the deployment: the
// registry lives at a CREATE2 address of its owner, and a shard already listed is not added again.

import { type Address, type Hex, zeroHash } from "viem";
import {
  lcoreFleetAbi,
  lcoreFleetBytecode,
  lcoreSettlementAbi,
  lcoreSettlementBytecode,
} from "./artifacts.generated.js";
import { type DeployClients, DETERMINISTIC_DEPLOYER, LcoreDeploymentError, deployOnce } from "./deploy.js";

/** One shard as deployment.json holds it under `lcore.fleet.shards`. */
export interface FleetShard {
  application: Address;
  settlement: Address;
}

/** The fleet: its registry and its shards, in the registry's order. */
export interface LcoreFleetContracts {
  registry: Address;
  shards: FleetShard[];
}

/** Salt of the registry (its owner in the init code keeps it unique per owner). */
const FLEET_SALT: Hex = zeroHash;

/**
 * Deploy (or find) every shard's LcoreSettlement and the registry owned by the deploying
 * account, and list in it, in order, the shards it does not list yet.
 */
export async function deployFleet(
  clients: DeployClients,
  applications: readonly Address[],
  opts: { log?: (message: string) => void; deployer?: Address } = {},
): Promise<LcoreFleetContracts> {
  const log = opts.log ?? (() => {});
  const deployer = opts.deployer ?? DETERMINISTIC_DEPLOYER;
  const shards: FleetShard[] = [];
  for (const application of applications) {
    const settlement = await deployOnce(
      clients,
      {
        name: "LcoreSettlement",
        abi: lcoreSettlementAbi,
        bytecode: lcoreSettlementBytecode,
        args: [application],
        salt: zeroHash,
        deployer,
      },
      log,
    );
    shards.push({ application, settlement });
  }
  const owner = clients.wallet.account.address;
  const registry = await deployOnce(
    clients,
    { name: "LcoreFleet", abi: lcoreFleetAbi, bytecode: lcoreFleetBytecode, args: [owner], salt: FLEET_SALT, deployer },
    log,
  );
  const listed = Number(
    await clients.public.readContract({ address: registry, abi: lcoreFleetAbi, functionName: "shardCount" }),
  );
  for (const [index, shard] of shards.entries()) {
    if (index < listed) {
      const held = await clients.public.readContract({
        address: registry,
        abi: lcoreFleetAbi,
        functionName: "shard",
        args: [BigInt(index)],
      });
      if (held.application.toLowerCase() !== shard.application.toLowerCase())
        throw new LcoreDeploymentError(
          `LcoreFleet ${registry} lists ${held.application} as shard ${index}, not ${shard.application}: shards are only ever appended`,
        );
      continue;
    }
    log(`LcoreFleet: adding shard ${index} (${shard.application})`);
    const { request } = await clients.public.simulateContract({
      address: registry,
      abi: lcoreFleetAbi,
      functionName: "addShard",
      args: [shard.application, shard.settlement],
      account: clients.wallet.account,
    });
    const hash = await clients.wallet.writeContract(request);
    const receipt = await clients.public.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== "success")
      throw new LcoreDeploymentError(`adding shard ${index}: transaction ${hash} reverted`);
  }
  return { registry, shards };
}
