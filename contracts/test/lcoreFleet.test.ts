// LcoreFleet on a real anvil: the owner lists shards (Application, its LcoreSettlement) in
// order, once each, only with a settlement that trusts that Application; a record settled in
// one shard verifies through the registry for that shard and not for another; deployFleet
// deploys and lists a fleet, and a second run changes nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Address, type Hex, BaseError, ContractFunctionRevertedError, getAddress, keccak256, toHex } from "viem";
import {
  deployFleet,
  lcoreFleetAbi,
  lcoreFleetBytecode,
  lcoreSettlementAbi,
  lcoreSettlementBytecode,
} from "@lcore/contracts";
import { localChain } from "./chain.js";

let chain: Awaited<ReturnType<typeof localChain>>;
const owner = () => chain.wallet(0);
const appA = () => chain.wallet(1);
const appB = () => chain.wallet(2);
const stranger = () => chain.wallet(3);
let settlementA: Address;
let settlementB: Address;
let fleet: Address;

beforeAll(async () => {
  chain = await localChain();
  const deploy = async (...args: Parameters<typeof chain.deploy>) => getAddress(await chain.deploy(...args));
  settlementA = await deploy(owner(), lcoreSettlementAbi, lcoreSettlementBytecode, [appA().account.address]);
  settlementB = await deploy(owner(), lcoreSettlementAbi, lcoreSettlementBytecode, [appB().account.address]);
  fleet = await deploy(owner(), lcoreFleetAbi, lcoreFleetBytecode, [owner().account.address]);
});
afterAll(async () => {
  await chain?.anvil.stop();
});

async function revertOf(p: Promise<unknown>): Promise<{ errorName: string; args: readonly unknown[] }> {
  try {
    await p;
  } catch (err) {
    const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (revert instanceof ContractFunctionRevertedError && revert.data)
      return { errorName: revert.data.errorName, args: revert.data.args ?? [] };
    throw err;
  }
  throw new Error("expected a revert");
}

async function call(
  wallet: ReturnType<typeof chain.wallet>,
  address: Address,
  abi: typeof lcoreFleetAbi | typeof lcoreSettlementAbi,
  functionName: string,
  args: readonly unknown[],
) {
  const { request } = await chain.publicClient.simulateContract({
    address,
    abi,
    functionName,
    args,
    account: wallet.account,
  } as never);
  const hash = await wallet.writeContract(request as never);
  return chain.publicClient.waitForTransactionReceipt({ hash });
}

const read = (functionName: string, args: readonly unknown[] = []) =>
  chain.publicClient.readContract({
    address: fleet,
    abi: lcoreFleetAbi,
    functionName,
    args,
  } as never) as Promise<unknown>;

describe("LcoreFleet", () => {
  it("lists shards in order, owner only, once each, with a settlement that trusts the application", async () => {
    const a = appA().account.address;
    const b = appB().account.address;
    expect(await revertOf(call(stranger(), fleet, lcoreFleetAbi, "addShard", [a, settlementA]))).toEqual({
      errorName: "CallerNotOwner",
      args: [stranger().account.address, owner().account.address],
    });
    expect(await revertOf(call(owner(), fleet, lcoreFleetAbi, "addShard", [a, settlementB]))).toEqual({
      errorName: "SettlementMismatch",
      args: [settlementB, a, b],
    });
    await call(owner(), fleet, lcoreFleetAbi, "addShard", [a, settlementA]);
    await call(owner(), fleet, lcoreFleetAbi, "addShard", [b, settlementB]);
    expect(await revertOf(call(owner(), fleet, lcoreFleetAbi, "addShard", [b, settlementB]))).toEqual({
      errorName: "ShardExists",
      args: [b, 1n],
    });
    expect(await read("shardCount")).toBe(2n);
    expect(await read("shard", [1n])).toEqual({ application: b, settlement: settlementB });
    expect(await read("shardOf", [a])).toBe(0n);
    expect(await revertOf(read("shard", [2n]))).toEqual({ errorName: "UnknownShard", args: [2n, 2n] });
    expect(await revertOf(read("shardOf", [stranger().account.address]))).toEqual({
      errorName: "UnknownApplication",
      args: [stranger().account.address],
    });
  });

  it("verifies a record through the shard that settled it, and only that one", async () => {
    const leaves = [keccak256(toHex("r0")), keccak256(toHex("r1"))] as const;
    const root = keccak256(`0x${leaves[0].slice(2)}${leaves[1].slice(2)}` as Hex);
    await call(appB(), settlementB, lcoreSettlementAbi, "settlePeriod", [
      7n,
      root,
      2n,
      keccak256(toHex("state")),
      keccak256(toHex("devices")),
      1n,
    ]);
    expect(await read("verifyRecord", [1n, 7n, leaves[0], 0n, [leaves[1]]])).toBe(true);
    expect(await read("verifyRecord", [1n, 7n, leaves[1], 1n, [leaves[0]]])).toBe(true);
    expect(await read("verifyRecord", [1n, 7n, leaves[1], 0n, [leaves[0]]])).toBe(false);
    expect(await read("verifyRecord", [0n, 7n, leaves[0], 0n, [leaves[1]]])).toBe(false);
    expect(await revertOf(read("verifyRecord", [2n, 7n, leaves[0], 0n, [leaves[1]]]))).toMatchObject({
      errorName: "UnknownShard",
    });
  });

  it("deployFleet deploys every shard's settlement and the registry, and a second run changes nothing", async () => {
    const clients = { public: chain.publicClient, wallet: chain.wallet(9) };
    const apps = [chain.wallet(4).account.address, chain.wallet(5).account.address];
    const logs: string[] = [];
    const first = await deployFleet(clients, apps, { log: (m) => logs.push(m) });
    expect(first.shards.map((s) => s.application)).toEqual(apps);
    const count = logs.length;
    expect(count).toBe(5); // two settlements, the registry, two shards
    const again = await deployFleet(clients, apps, { log: (m) => logs.push(m) });
    expect(again).toEqual(first);
    expect(logs).toHaveLength(count);
    const registry = (fn: string, args: readonly unknown[] = []) =>
      chain.publicClient.readContract({ address: first.registry, abi: lcoreFleetAbi, functionName: fn, args } as never);
    expect(await registry("shardCount")).toBe(2n);
    expect(await registry("owner")).toBe(chain.wallet(9).account.address);
    // A third application is appended; the first two keep their indices.
    const grown = await deployFleet(clients, [...apps, chain.wallet(6).account.address]);
    expect(grown.registry).toBe(first.registry);
    expect(await registry("shardCount")).toBe(3n);
    expect(await registry("shardOf", [apps[1]])).toBe(1n);
  });
});
