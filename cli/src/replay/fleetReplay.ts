// `lcore replay --fleet REGISTRY`: every shard of a fleet replayed, as `lcore replay` replays one
// application, with the shards read from the LcoreFleet registry on chain (not from any
// gateway), several at once where the machine has cores for them, each reported on its own.

import { availableParallelism } from "node:os";
import { type Address, createPublicClient, http } from "viem";
import { lcoreFleetAbi } from "@lcore/contracts";
import type { ReplayOptions } from "@lcore/devnet/replay";
import { type LcoreReplayReport, lcoreReplay } from "./lcoreReplay.js";

export interface FleetReplayOptions extends Omit<ReplayOptions, "checks" | "application"> {
  /** LcoreFleet's address: the shards, in order. */
  registry: Address;
  /** Shards replayed at once. Default: the machine's cores (each replay runs one dApp process). */
  parallel?: number | undefined;
}

export interface ShardReplayReport {
  shard: number;
  application: Address;
  settlement: Address;
  report: LcoreReplayReport;
}

/** Most shards replayed, as LcoreFleet.MAX_SHARDS bounds them. */
const MAX_SHARDS = 256;

export async function fleetShards(
  rpcUrl: string,
  registry: Address,
): Promise<{ application: Address; settlement: Address }[]> {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const count = Number(
    await client.readContract({ address: registry, abi: lcoreFleetAbi, functionName: "shardCount" }),
  );
  const shards = [];
  for (let i = 0; i < Math.min(count, MAX_SHARDS); i++)
    shards.push(
      await client.readContract({ address: registry, abi: lcoreFleetAbi, functionName: "shard", args: [BigInt(i)] }),
    );
  return shards;
}

export async function fleetReplay(opts: FleetReplayOptions): Promise<ShardReplayReport[]> {
  const { registry, parallel, ...common } = opts;
  const shards = await fleetShards(opts.rpcUrl, registry);
  const width = Math.max(1, Math.min(parallel ?? availableParallelism(), shards.length));
  const reports: ShardReplayReport[] = new Array(shards.length);
  let next = 0;
  // `width` workers take the next shard until none is left.
  const worker = async () => {
    for (let shard = next++; shard < shards.length; shard = next++) {
      const { application, settlement } = shards[shard]!;
      const progress = opts.progress ?? ((line: string) => process.stderr.write(`shard ${shard}: ${line}\n`));
      const report = await lcoreReplay({ ...common, application, progress });
      reports[shard] = { shard, application, settlement, report };
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return reports;
}
